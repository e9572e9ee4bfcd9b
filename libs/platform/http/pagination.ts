// API.md's pagination: `?limit=` (1-200, default 50) and an opaque `?cursor=`; lists answer
// { items, nextCursor }. A cursor is base64url JSON of the keyset position of the last row served.
import { ApiError } from './problem';

export type Page<T> = { items: T[]; nextCursor: string | null };

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw invalid('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(raw);
}

export const encodeCursor = (position: unknown[]): string => Buffer.from(JSON.stringify(position)).toString('base64url');

/** The keyset position in a cursor, checked against the types the list expects (e.g. ['string', 'number']). */
export function decodeCursor(raw: unknown, shape: Array<'string' | 'number'>): unknown[] | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length > 2048) throw invalid('cursor', 'is not a cursor of this list');
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(raw, 'base64url').toString());
  } catch {
    throw invalid('cursor', 'is not a cursor of this list');
  }
  if (!Array.isArray(position) || position.length !== shape.length || position.some((v, i) => typeof v !== shape[i])) {
    throw invalid('cursor', 'is not a cursor of this list');
  }
  return position;
}

/** Builds a page from rows fetched with LIMIT limit + 1 (the extra row says whether there is more). */
export function toPage<R, T>(rows: R[], limit: number, view: (row: R) => T, keyOf: (row: R) => unknown[]): Page<T> {
  const more = rows.length > limit;
  const served = more ? rows.slice(0, limit) : rows;
  return { items: served.map(view), nextCursor: more ? encodeCursor(keyOf(served[served.length - 1])) : null };
}

/** Refuses query parameters a list does not know, so that a typo is not silently ignored. */
export function requireKnownParams(query: Record<string, unknown>, known: string[]) {
  for (const name of Object.keys(query)) if (!known.includes(name)) throw invalid(name, 'is not a parameter of this list');
}

export const invalid = (field: string, message: string) => new ApiError('validation_failed', `${field} ${message}`, [{ field, message }]);
