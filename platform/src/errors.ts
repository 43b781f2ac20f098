import type { FieldProblem } from './validation.js';

/**
 * An error meant for the client. `code` is a stable snake_case identifier clients may
 * branch on; `title` is human text and may change.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;
  /** A protocol that defines its own error format (OAuth 2.0, RFC 6749 §5.2) replaces the problem body. */
  readonly protocolBody: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    detail?: string,
    options: {
      errors?: FieldProblem[];
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
      protocolBody?: Record<string, unknown>;
    } = {},
  ) {
    super(detail ?? code);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
    this.protocolBody = options.protocolBody;
  }
}

export const badRequest = (code: string, detail: string, errors?: FieldProblem[]) =>
  new HttpProblem(400, code, detail, errors ? { errors } : {});

export const validationFailed = (errors: FieldProblem[]) =>
  new HttpProblem(400, 'validation_failed', 'The request is invalid.', { errors });

export const notFound = (detail = 'The resource does not exist.') =>
  new HttpProblem(404, 'not_found', detail);

export const conflict = (code: string, detail: string) => new HttpProblem(409, code, detail);

export const forbidden = (code = 'forbidden', detail = 'You may not do this.') =>
  new HttpProblem(403, code, detail);

export const tooManyRequests = (retryAfterSeconds: number, detail = 'Too many attempts. Try again later.') =>
  new HttpProblem(429, 'too_many_requests', detail, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export const serviceUnavailable = (detail = 'A dependency is unavailable. Try again later.') =>
  new HttpProblem(503, 'service_unavailable', detail);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
