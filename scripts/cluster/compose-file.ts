/**
 * compose/compose.yaml as data: parsed with YAML merge keys (the file shares blocks with `<<:`),
 * plus Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` interpolation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'compose', 'compose.yaml');
export const COMPOSE_ENV_EXAMPLE = path.join(REPO_ROOT, 'compose', '.env.example');

export interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  [field: string]: unknown;
}

export interface ComposeDocument {
  services: Record<string, ComposeService>;
  [field: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed file, as plain data (for the schema) — merge keys resolved as Compose does. */
export function parseComposeText(text: string): unknown {
  return parse(text, { merge: true });
}

export function parseCompose(text: string): ComposeDocument {
  const data = parseComposeText(text);
  if (!isRecord(data) || !isRecord(data['services'])) throw new Error('compose file has no services map');
  const services: Record<string, ComposeService> = {};
  for (const [name, service] of Object.entries(data['services'])) {
    if (!isRecord(service)) throw new Error(`compose service ${name} is not a map`);
    services[name] = service;
  }
  return { ...data, services };
}

export function readCompose(file = COMPOSE_FILE): ComposeDocument {
  return parseCompose(readFileSync(file, 'utf8'));
}

/** A service's environment as name → raw (uninterpolated) value. */
export function environmentOf(service: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const [name = '', ...value] = entry.split('=');
      env.set(name, value.join('='));
    }
  } else if (raw) {
    for (const [name, value] of Object.entries(raw)) env.set(name, value === null ? '' : String(value));
  }
  return env;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** The variables a value takes from the .env / shell. */
export function referencedVariables(value: string): string[] {
  return [...value.matchAll(REFERENCE)].map((match) => match[1] ?? '');
}

/** The variables referenced with `:?` / `?`: compose refuses to start without them. */
export function requiredReferences(text: string): string[] {
  return [...text.matchAll(REFERENCE)]
    .filter((match) => (match[2] ?? '').endsWith('?'))
    .map((match) => match[1] ?? '');
}

/** Interpolates with `values`, falling back to the `:-` defaults (and '' as Compose does). */
export function interpolate(value: string, values: Record<string, string> = {}): string {
  return value.replace(REFERENCE, (_match, name: string, operator: string | undefined, rest: string) => {
    const given = values[name];
    if (given !== undefined && given !== '') return given;
    return operator !== undefined && operator.endsWith('-') ? rest : '';
  });
}

/** Names declared in a dotenv file (`NAME=value` lines), with their values. */
export function readDotenv(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[1] ?? '', match[2] ?? '');
  }
  return entries;
}
