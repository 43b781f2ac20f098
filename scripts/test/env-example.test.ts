/** `.env.example` documents every variable a service's config schema reads. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TObject } from '@sinclair/typebox';
import { FrontendConfigSchema } from '../../frontend/src/lib/server/config.js';
import { authConfigSchema } from '../../ms-auth/src/config.js';
import { ConfigSchema as emailConfigSchema } from '../../ms-email/src/config.js';
import { OrdersConfigSchema } from '../../ms-orders/src/config.js';
import { ProductsConfigSchema } from '../../ms-products/src/config.js';
import { UsersConfigSchema } from '../../ms-users/src/config.js';
import { REPO_ROOT } from '../stack/index.js';

const documented = new Set(
  readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);

describe('.env.example', () => {
  const schemas: Record<string, TObject> = {
    'ms-auth': authConfigSchema,
    'ms-users': UsersConfigSchema,
    'ms-email': emailConfigSchema,
    'ms-products': ProductsConfigSchema,
    'ms-orders': OrdersConfigSchema,
    frontend: FrontendConfigSchema,
  };
  for (const [service, schema] of Object.entries(schemas)) {
    it(`documents every variable ${service} reads`, () => {
      const missing = Object.keys(schema.properties).filter((name) => !documented.has(name));
      assert.deepEqual(missing, []);
    });
  }
});
