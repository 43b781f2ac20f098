import type { RowDataPacket } from '@marketshare/platform/mysql';

/*
 * mysql2 types every column as `any`; these readers check what the schema promises, so a
 * schema drift fails loudly here instead of leaking a wrong type into the domain.
 */

function column(row: RowDataPacket, name: string): unknown {
  const value: unknown = row[name];
  return value;
}

function drift(name: string, expected: string): Error {
  return new Error(`column ${name} is not ${expected}`);
}

export function stringColumn(row: RowDataPacket, name: string): string {
  const value = column(row, name);
  if (typeof value !== 'string') throw drift(name, 'a string');
  return value;
}

export function nullableStringColumn(row: RowDataPacket, name: string): string | null {
  const value = column(row, name);
  return value === null ? null : stringColumn(row, name);
}

export function dateColumn(row: RowDataPacket, name: string): Date {
  const value = column(row, name);
  if (!(value instanceof Date)) throw drift(name, 'a date');
  return value;
}

export function nullableDateColumn(row: RowDataPacket, name: string): Date | null {
  const value = column(row, name);
  return value === null ? null : dateColumn(row, name);
}

export function bufferColumn(row: RowDataPacket, name: string): Buffer {
  const value = column(row, name);
  if (!Buffer.isBuffer(value)) throw drift(name, 'binary');
  return value;
}

export function nullableBufferColumn(row: RowDataPacket, name: string): Buffer | null {
  const value = column(row, name);
  return value === null ? null : bufferColumn(row, name);
}

/** Space-separated lists (grant types, scopes) as stored. */
export function listColumn(row: RowDataPacket, name: string): string[] {
  return stringColumn(row, name)
    .split(' ')
    .filter((item) => item !== '');
}
