/**
 * What each deployable reads from its environment, taken from its own config schema (the one
 * schema the process parses at start-up), so compose and the chart are checked against the
 * code rather than against a list kept by hand.
 */
import type { TObject, TProperties } from '@sinclair/typebox';
import { authConfigSchema } from '../../ms-auth/src/config.js';
import { ConfigSchema as emailConfigSchema } from '../../ms-email/src/config.js';
import { OrdersConfigSchema } from '../../ms-orders/src/config.js';
import { ProductsConfigSchema } from '../../ms-products/src/config.js';
import { UsersConfigSchema } from '../../ms-users/src/config.js';
import { FrontendConfigSchema } from '../../frontend/src/lib/server/config.js';

export const DEPLOYABLES = [
  'ms-auth',
  'ms-users',
  'ms-products',
  'ms-orders',
  'ms-email',
  'frontend',
] as const;
export type Deployable = (typeof DEPLOYABLES)[number];

const SCHEMAS: Record<Deployable, TObject<TProperties>> = {
  'ms-auth': authConfigSchema,
  'ms-users': UsersConfigSchema,
  'ms-products': ProductsConfigSchema,
  'ms-orders': OrdersConfigSchema,
  'ms-email': emailConfigSchema,
  frontend: FrontendConfigSchema,
};

export interface ConfigVariable {
  name: string;
  /** No default in production: the deployment must set it (x-local-default only helps locally). */
  required: boolean;
  /** A secret (x-sensitive): it belongs in a Secret / the .env, never in a ConfigMap. */
  sensitive: boolean;
}

export function configVariables(deployable: Deployable): ConfigVariable[] {
  const schema = SCHEMAS[deployable];
  const listed = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    // Type.Optional leaves a property out of `required`; a default makes it optional too.
    required: listed.has(name) && !('default' in property),
    sensitive: property['x-sensitive'] === true,
  }));
}

/** The variables a production deployment of `deployable` must set. */
export function requiredVariables(deployable: Deployable): string[] {
  return configVariables(deployable)
    .filter((variable) => variable.required)
    .map((variable) => variable.name);
}
