/**
 * The routes the services really have, to hold the matrix to: from the OpenAPI documents they
 * serve (public routes) and from the `defineRoute` calls in their source (which also finds the
 * internal routes OpenAPI leaves out). The matrix must name exactly these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { routeKey } from './types.js';

export const SERVICES_WITH_ROUTES = ['ms-auth', 'ms-users', 'ms-products', 'ms-orders', 'ms-email'] as const;

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** `GET /api/products/{id}` for every operation of an OpenAPI document. */
export function openApiRouteKeys(document: unknown): string[] {
  const paths =
    typeof document === 'object' && document !== null ? Reflect.get(document, 'paths') : undefined;
  if (typeof paths !== 'object' || paths === null) throw new Error('not an OpenAPI document: no paths');
  return Object.entries(paths).flatMap(([template, operations]) =>
    typeof operations === 'object' && operations !== null
      ? Object.keys(operations)
          .filter((method) => HTTP_METHODS.has(method))
          .map((method) => routeKey({ method, path: template }))
      : [],
  );
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** A route declaration opens with its method and path, as every service writes them. */
const DECLARATION = /defineRoute\(\{\s*method:\s*'(\w+)',\s*path:\s*'([^']+)'/g;

export interface SourceRoutes {
  keys: string[];
  /** `defineRoute(` calls the pattern above could not read: they must be zero, or routes are missed. */
  unreadable: string[];
}

/** Every route declared in the services' source, path parameters written as OpenAPI does. */
export function sourceRouteKeys(repoRoot: string): SourceRoutes {
  const keys: string[] = [];
  const unreadable: string[] = [];
  for (const service of SERVICES_WITH_ROUTES) {
    for (const file of typeScriptFiles(path.join(repoRoot, service, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const calls = (text.match(/defineRoute\(/g) ?? []).length;
      const found = [...text.matchAll(DECLARATION)].map((match) =>
        routeKey({ method: match[1] ?? '', path: (match[2] ?? '').replace(/:([A-Za-z0-9_]+)/g, '{$1}') }),
      );
      keys.push(...found);
      if (found.length !== calls)
        unreadable.push(`${path.relative(repoRoot, file)}: ${calls} calls, ${found.length} read`);
    }
  }
  return { keys, unreadable };
}
