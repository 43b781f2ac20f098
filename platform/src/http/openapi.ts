import type { TSchema } from '@sinclair/typebox';
import type { Route } from './route.js';

type JsonObject = Record<string, unknown>;

/** TypeBox schemas are JSON Schema already; this drops TypeBox's symbol keys for output. */
function plain(schema: TSchema): JsonObject {
  const copy: unknown = JSON.parse(JSON.stringify(schema));
  return typeof copy === 'object' && copy !== null ? { ...copy } : {};
}

function parameters(schema: TSchema | undefined, location: 'path' | 'query' | 'header'): JsonObject[] {
  if (!schema) return [];
  const json = plain(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonObject>; // JSON Schema object keyword
  const required = new Set(Array.isArray(json['required']) ? json['required'] : []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
    ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
  }));
}

function securityFor(route: Route): JsonObject[] | undefined {
  const { auth } = route.spec;
  if (auth === 'public') return [];
  if (auth === 'optional') return [{}, { bearerAuth: [] }];
  return [{ bearerAuth: [...(auth.scopes ?? [])] }];
}

/** Builds the OpenAPI 3.1 document from the very schemas that validate requests. */
export function buildOpenApi(
  info: { title: string; version: string; description?: string },
  routes: Route[],
) {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const { spec } = route;
    if (spec.internal) continue;
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation: JsonObject = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags ?? [],
      parameters: [
        ...parameters(spec.params, 'path'),
        ...parameters(spec.query, 'query'),
        ...parameters(spec.headers, 'header'),
      ],
      security: securityFor(route),
      responses: Object.fromEntries(
        Object.entries(spec.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? {
                  content: {
                    [response.contentType ?? 'application/json']: { schema: plain(response.schema) },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
    if (spec.body) {
      const mediaType = spec.bodyFormat === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      operation['requestBody'] = { required: true, content: { [mediaType]: { schema: plain(spec.body) } } };
    }
    paths[path] = { ...paths[path], [spec.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
