/**
 * The operations of an OpenAPI 3 document as the generator needs them: where each parameter
 * goes, the body's media type and schema, and whether a bearer token is wanted. Read from
 * untyped JSON with guards, so a document of another shape yields fewer operations, never a
 * crash of the fuzzer.
 */

export type JsonSchema = Readonly<Record<string, unknown>>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export type BodyMediaType = 'application/json' | 'application/x-www-form-urlencoded';

export interface Operation {
  /** The service whose document declares it, e.g. `ms-products`. */
  service: string;
  /** Upper case, e.g. `GET`. */
  method: string;
  /** As the document writes it, e.g. `/api/products/{id}`. */
  path: string;
  operationId: string;
  parameters: Parameter[];
  body?: { mediaType: BodyMediaType; schema: JsonSchema };
  /** `public`: no security; `optional`: a token may be sent; `bearer`: one is required. */
  auth: 'public' | 'optional' | 'bearer';
}

export const objectOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};

const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);
const LOCATIONS = new Set(['path', 'query', 'header']);

function isLocation(value: unknown): value is Parameter['in'] {
  return typeof value === 'string' && LOCATIONS.has(value);
}

function parameterOf(raw: unknown): Parameter | undefined {
  const parameter = objectOf(raw);
  const location = parameter['in'];
  if (typeof parameter['name'] !== 'string' || !isLocation(location)) return undefined;
  return {
    name: parameter['name'],
    in: location,
    required: parameter['required'] === true,
    schema: objectOf(parameter['schema']),
  };
}

function bodyOf(raw: unknown): Operation['body'] {
  const content = objectOf(objectOf(raw)['content']);
  const mediaTypes: BodyMediaType[] = ['application/json', 'application/x-www-form-urlencoded'];
  for (const mediaType of mediaTypes) {
    if (mediaType in content) return { mediaType, schema: objectOf(objectOf(content[mediaType])['schema']) };
  }
  return undefined;
}

function authOf(security: unknown): Operation['auth'] {
  const requirements = arrayOf(security).map(objectOf);
  if (requirements.length === 0) return 'public';
  return requirements.some((requirement) => Object.keys(requirement).length === 0) ? 'optional' : 'bearer';
}

/** Every operation of the document, plus the document's own GET (it is served by every service). */
export function operationsOf(service: string, documentPath: string, document: unknown): Operation[] {
  const operations: Operation[] = [
    {
      service,
      method: 'GET',
      path: documentPath,
      operationId: 'openApiDocument',
      parameters: [],
      auth: 'public',
    },
  ];
  for (const [path, item] of Object.entries(objectOf(objectOf(document)['paths']))) {
    for (const [method, raw] of Object.entries(objectOf(item))) {
      if (!METHODS.has(method)) continue;
      const operation = objectOf(raw);
      const body = bodyOf(operation['requestBody']);
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        operationId: String(operation['operationId'] ?? `${method} ${path}`),
        parameters: arrayOf(operation['parameters']).flatMap((p) => parameterOf(p) ?? []),
        ...(body ? { body } : {}),
        auth: authOf(operation['security']),
      });
    }
  }
  return operations;
}

export const operationName = (operation: Pick<Operation, 'method' | 'path'>): string =>
  `${operation.method} ${operation.path}`;
