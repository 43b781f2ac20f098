import type { AppContext } from '@marketshare/platform';
import type { ImageDownload } from '../../domain/images/images.js';

/** A year: the URLs name image ids, whose bytes never change (a new upload is a new id). */
const IMMUTABLE_FOR_SECONDS = 31_536_000;

/** RFC 9110 §13.1.2: If-None-Match compares weakly, and `*` matches any current representation. */
export function noneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * Answers with the file (or 304 when the client's copy is current). Images of unpublished
 * products are only for their seller and admins: shared caches must not keep those.
 */
export function sendImage(ctx: AppContext, download: ImageDownload): void {
  ctx.set('ETag', download.etag);
  ctx.set(
    'Cache-Control',
    `${download.isPublic ? 'public' : 'private'}, max-age=${IMMUTABLE_FOR_SECONDS}, immutable`,
  );
  if (!download.isPublic) ctx.set('Vary', 'Authorization');
  if (noneMatch(ctx.get('If-None-Match') || undefined, download.etag)) {
    download.file.stream.destroy();
    ctx.status = 304;
    return;
  }
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  ctx.status = 200;
  // Koa never reads the body of a HEAD answer: the open file would be left to the garbage collector.
  if (ctx.method === 'HEAD') download.file.stream.destroy();
  else ctx.body = download.file.stream;
  ctx.type = download.contentType;
  ctx.length = download.file.size;
}
