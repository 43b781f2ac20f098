import { HttpProblem, type Principal } from '@marketshare/platform';
import { ImageError, type ImageErrorKind } from '../../domain/images/errors.js';
import type { Viewer } from '../../domain/images/image.js';

const STATUS_BY_KIND: Record<ImageErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unprocessable: 422,
};

/** Image errors become problem+json here, once. */
export function imageErrorToHttp(error: unknown): unknown {
  if (!(error instanceof ImageError)) return error;
  const headers: Record<string, string> =
    // A thumbnail that is on its way: nobody should remember this 404.
    error.code === 'thumbnail_not_ready' ? { 'Cache-Control': 'no-store', 'Retry-After': '2' } : {};
  return new HttpProblem(STATUS_BY_KIND[error.kind], error.code, error.message, {
    headers,
    ...(error.field === undefined ? {} : { errors: [{ field: error.field, message: error.message }] }),
  });
}

export function viewerOf(principal: Principal | undefined): Viewer | undefined {
  return principal && { subject: principal.subject, role: principal.role };
}

/** The viewer of a route whose policy requires a token (never undefined there). */
export function signedInViewer(principal: Principal | undefined): Viewer {
  const viewer = viewerOf(principal);
  if (!viewer) throw new HttpProblem(401, 'unauthenticated', 'An access token is required.');
  return viewer;
}

/** Problem responses, for the OpenAPI document. */
export const problem = (description: string) => ({ description, contentType: 'application/problem+json' });
