import type { RowDataPacket } from '@marketshare/platform/mysql';

/**
 * Typed reads of mysql2 rows, whose columns are untyped. A column of the wrong type is a
 * schema/code mismatch, so it fails loudly instead of flowing on as a wrong value.
 */
function mismatch(column: string, expected: string): Error {
  return new Error(`column ${column} is not ${expected}`);
}

export function text(row: RowDataPacket, column: string): string {
  const value: unknown = row[column];
  if (typeof value !== 'string') throw mismatch(column, 'a string');
  return value;
}

export function optionalText(row: RowDataPacket, column: string): string | null {
  const value: unknown = row[column];
  return value === null ? null : text(row, column);
}

export function integer(row: RowDataPacket, column: string): number {
  const value: unknown = row[column];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(column, 'an integer');
  return value;
}

export function instant(row: RowDataPacket, column: string): Date {
  const value: unknown = row[column];
  if (!(value instanceof Date)) throw mismatch(column, 'a DATETIME');
  return value;
}

export function optionalInstant(row: RowDataPacket, column: string): Date | null {
  const value: unknown = row[column];
  return value === null ? null : instant(row, column);
}
