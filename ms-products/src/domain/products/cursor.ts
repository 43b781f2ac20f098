import { createHash } from 'node:crypto';
import { ProductError } from './errors.js';

/**
 * Keyset pagination cursors. A cursor is the sort key of the last row a page showed, plus the
 * id that breaks ties, encoded as base64url JSON. It carries a checksum over the query it
 * belongs to (sort and filters) and its own values, so a cursor used with another query, cut
 * short or edited is refused with `invalid_cursor` rather than paging from a made-up place.
 * The checksum is not a secret signature: a cursor only ever reaches rows its query may see.
 */

export const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'rating'] as const;
export type SearchSort = (typeof SORTS)[number];

export type SortKey =
  | { sort: 'newest'; createdAt: string; id: string }
  | { sort: 'price_asc' | 'price_desc'; priceMinor: number; id: string }
  | { sort: 'rating'; rating: number; ratingCount: number; id: string }
  | { sort: 'relevance'; rank: number; id: string };

const CURSOR_VERSION = 1;
export const CURSOR_MAX_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** created_at as the store writes it: UTC with microseconds, so no two instants collapse. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The values of a sort key, in the order of its sort's columns (the id last). */
export function sortKeyValues(key: SortKey): (string | number)[] {
  switch (key.sort) {
    case 'newest':
      return [key.createdAt, key.id];
    case 'price_asc':
    case 'price_desc':
      return [key.priceMinor, key.id];
    case 'rating':
      return [key.rating, key.ratingCount, key.id];
    case 'relevance':
      return [key.rank, key.id];
  }
}

function checksum(binding: string, sort: SearchSort, values: readonly unknown[]): string {
  return createHash('sha256')
    .update(`${CURSOR_VERSION}\n${binding}\n${sort}\n${JSON.stringify(values)}`)
    .digest('base64url')
    .slice(0, 16);
}

/** `binding` is a canonical description of the query (see `canonicalBinding`). */
export function encodeCursor(binding: string, key: SortKey): string {
  const values = sortKeyValues(key);
  return Buffer.from(
    JSON.stringify([CURSOR_VERSION, ...values, checksum(binding, key.sort, values)]),
  ).toString('base64url');
}

/** A stable string for a query's sort and filters: same query, same string. */
export function canonicalBinding(parts: Record<string, string | number | boolean | undefined>): string {
  return JSON.stringify(
    Object.keys(parts)
      .sort()
      .filter((name) => parts[name] !== undefined)
      .map((name) => [name, parts[name]]),
  );
}

const invalidCursor = (why: string) =>
  new ProductError('invalid', 'invalid_cursor', `The cursor is not valid for this query (${why}).`, 'cursor');

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && Number(value) >= 0;
const isId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

function keyFromValues(sort: SearchSort, values: unknown[]): SortKey | undefined {
  const [first, second, third] = values;
  switch (sort) {
    case 'newest':
      if (values.length !== 2 || typeof first !== 'string' || !INSTANT.test(first) || !isId(second)) return;
      return { sort, createdAt: first, id: second };
    case 'price_asc':
    case 'price_desc':
      if (values.length !== 2 || !isCount(first) || !isId(second)) return;
      return { sort, priceMinor: first, id: second };
    case 'rating':
      if (values.length !== 3 || !isFiniteNumber(first) || !isCount(second) || !isId(third)) return;
      return { sort, rating: first, ratingCount: second, id: third };
    case 'relevance':
      if (values.length !== 2 || !isFiniteNumber(first) || !isId(second)) return;
      return { sort, rank: first, id: second };
  }
}

/** The sort key a cursor resumes after; throws `invalid_cursor` unless it was made for this query. */
export function decodeCursor(cursor: string, binding: string, sort: SearchSort): SortKey {
  if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor('encoding');
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips stray trailing characters; only the canonical spelling of the bytes is ours.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor('encoding');
  let decoded: unknown;
  try {
    decoded = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidCursor('encoding');
  }
  if (!Array.isArray(decoded) || decoded[0] !== CURSOR_VERSION) throw invalidCursor('format');
  const values: unknown[] = decoded.slice(1, -1);
  const sum: unknown = decoded[decoded.length - 1];
  const key = keyFromValues(sort, values);
  if (!key) throw invalidCursor('format');
  if (sum !== checksum(binding, sort, values)) throw invalidCursor('made for another query');
  return key;
}
