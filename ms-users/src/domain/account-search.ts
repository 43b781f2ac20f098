import { createHash } from 'node:crypto';
import { DomainError } from './errors.js';
import type {
  Account,
  AccountFilter,
  AccountPosition,
  AccountRole,
  AccountSearchRepository,
  AccountStatus,
} from './ports.js';

export interface AccountSearchRequest {
  q?: string | undefined;
  role?: AccountRole | undefined;
  status?: AccountStatus | undefined;
  /** nextCursor of the previous page of the same search. */
  cursor?: string | undefined;
  limit: number;
}

export interface AccountPage {
  items: Account[];
  /** null on the last page. */
  nextCursor: string | null;
}

/**
 * The admin account search: every account (any role or status) matching a filter, newest
 * first, in keyset pages. Who may search is the route's business; this never decides it.
 */
export class AccountSearch {
  constructor(private readonly accounts: AccountSearchRepository) {}

  async search(request: AccountSearchRequest): Promise<AccountPage> {
    const text = request.q?.trim();
    const filter: AccountFilter = {
      text: text === '' ? undefined : text,
      role: request.role,
      status: request.status,
    };
    const binding = bindingOf(filter);
    const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor, binding);
    // One row more than the page tells whether another page follows, without counting.
    const rows = await this.accounts.search(filter, after, request.limit + 1);
    const items = rows.slice(0, request.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > request.limit && last ? encodeCursor(binding, last) : null,
    };
  }
}

/*
 * A cursor is the last shown account's position, base64url JSON, with a checksum over the
 * filter it was made for and its own values: a cursor used with another filter, cut short
 * or edited is refused (invalid_cursor) instead of paging from a made-up place. The checksum
 * is no secret signature; a cursor only ever leads to rows its search may show.
 */
const CURSOR_VERSION = 1;
export const CURSOR_MAX_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The filter, case-folded as the search compares it, so an equivalent search keeps its cursor. */
function bindingOf(filter: AccountFilter): string {
  return JSON.stringify([filter.text?.toLowerCase() ?? null, filter.role ?? null, filter.status ?? null]);
}

function checksum(binding: string, values: readonly string[]): string {
  return createHash('sha256')
    .update(`${CURSOR_VERSION}\n${binding}\n${JSON.stringify(values)}`)
    .digest('base64url')
    .slice(0, 16);
}

function encodeCursor(binding: string, position: AccountPosition): string {
  const values = [position.createdAt.toISOString(), position.id];
  return Buffer.from(JSON.stringify([CURSOR_VERSION, ...values, checksum(binding, values)])).toString(
    'base64url',
  );
}

const invalidCursor = (why: string) =>
  new DomainError('invalid', 'invalid_cursor', `The cursor is not valid for this search (${why}).`, 'cursor');

function decodeCursor(cursor: string, binding: string): AccountPosition {
  if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor('encoding');
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips stray trailing characters; only the canonical spelling is ours.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor('encoding');
  let decoded: unknown;
  try {
    decoded = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidCursor('encoding');
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== CURSOR_VERSION) {
    throw invalidCursor('format');
  }
  const [, createdAt, id, sum]: unknown[] = decoded;
  if (typeof createdAt !== 'string' || !INSTANT.test(createdAt) || typeof id !== 'string' || !UUID.test(id)) {
    throw invalidCursor('format');
  }
  if (sum !== checksum(binding, [createdAt, id])) throw invalidCursor('made for another search');
  const instant = new Date(createdAt);
  if (Number.isNaN(instant.getTime())) throw invalidCursor('format');
  return { createdAt: instant, id };
}
