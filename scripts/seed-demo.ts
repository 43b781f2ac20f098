/**
 * Demo data for a running stack: a few sellers and consumers registered through the gateway
 * (reused when they exist), and the deterministic demo catalogue for the sellers, loaded
 * straight into ms-products' database. `npm start` runs it (STACK_DEMO_DATA); by hand:
 *
 *   npm run seed:demo -- [--products N] [--reset]     (the stack of STACK_DIR, default .local/stack)
 *
 * Every demo account has the password DEMO_PASSWORD: a documented local default, for a demo
 * on one's own machine only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createPgPool } from '@marketshare/platform/pg';
import { loadCatalogue } from '../ms-products/src/cli/catalogue-loader.js';
import { readConfig, resolveStateDir } from './stack/config.js';
import { parseEnvFile, secret, secretsFile } from './stack/secrets.js';
import { serviceByName, serviceEnv } from './stack/services.js';
import { stackContext, type StackInfo } from './stack/start.js';

export const DEMO_PASSWORD = 'demo-password-1234';
export const DEMO_SEED = 42;
export const DEMO_PRODUCTS = { small: 200, large: 10_000 } as const;

export interface DemoAccount {
  role: 'seller' | 'consumer';
  username: string;
  companyName: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { role: 'seller', username: 'demo-seller-nordwerk', companyName: 'Nordwerk Industrial GmbH' },
  { role: 'seller', username: 'demo-seller-labline', companyName: 'Labline Scientific B.V.' },
  { role: 'seller', username: 'demo-seller-officeplus', companyName: 'OfficePlus Supplies Ltd' },
  { role: 'consumer', username: 'demo-buyer-acme', companyName: 'Acme Manufacturing GmbH' },
  { role: 'consumer', username: 'demo-buyer-globex', companyName: 'Globex Facilities S.A.' },
];

/** Where the demo data goes: the stack's gateway and ms-products' database. */
export interface DemoTarget {
  gatewayUrl: string;
  frontendSecret: string;
  postgresUrl: string;
  imagesDir?: string | undefined;
}

export interface DemoOutcome {
  accounts: (DemoAccount & { id: string; created: boolean })[];
  products: number;
  inserted: number;
  deleted: number;
}

export function demoTargetOf(stack: Pick<StackInfo, 'urls' | 'secrets' | 'serviceEnv'>): DemoTarget {
  const products = stack.serviceEnv['ms-products'] ?? {};
  const postgresUrl = products['POSTGRES_URL'];
  if (postgresUrl === undefined) throw new Error('ms-products is not part of this stack');
  return {
    gatewayUrl: stack.urls.gateway,
    frontendSecret: secret(stack.secrets, 'CLIENT_SECRET_FRONTEND'),
    postgresUrl,
    imagesDir: products['IMAGES_DIR'],
  };
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: response.status, body };
}

function stringField(body: unknown, name: string): string | undefined {
  const value: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** An access token for an account, through the gateway (password grant, frontend client). */
export async function demoLogin(
  target: DemoTarget,
  username: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const basic = Buffer.from(`frontend:${target.frontendSecret}`).toString('base64');
  const { status, body } = await call(`${target.gatewayUrl}/api/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
  const token = stringField(body, 'access_token');
  if (status !== 200 || token === undefined) {
    throw new Error(`login as ${username} failed (${status}): ${JSON.stringify(body)}`);
  }
  return token;
}

/** Registers the account, or, when it exists (409), finds its id by logging in. */
async function ensureAccount(
  target: DemoTarget,
  account: DemoAccount,
): Promise<{ id: string; created: boolean }> {
  const registered = await call(`${target.gatewayUrl}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      role: account.role,
      username: account.username,
      email: `${account.username}@demo.marketshare.test`,
      companyName: account.companyName,
      password: DEMO_PASSWORD,
    }),
  });
  const createdId = stringField(registered.body, 'id');
  if (registered.status === 201 && createdId !== undefined) return { id: createdId, created: true };
  if (registered.status !== 409) {
    throw new Error(
      `registering ${account.username} failed (${registered.status}): ${JSON.stringify(registered.body)}`,
    );
  }
  const token = await demoLogin(target, account.username);
  const me = await call(`${target.gatewayUrl}/api/users/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const id = stringField(me.body, 'id');
  if (me.status !== 200 || id === undefined) throw new Error(`GET /api/users/me failed (${me.status})`);
  if (stringField(me.body, 'role') !== account.role) {
    throw new Error(`${account.username} exists but is not a ${account.role}`);
  }
  return { id, created: false };
}

export async function seedDemo(
  target: DemoTarget,
  options: { products: number; reset?: boolean; seed?: number },
): Promise<DemoOutcome> {
  const accounts = await Promise.all(
    DEMO_ACCOUNTS.map(async (account) => ({ ...account, ...(await ensureAccount(target, account)) })),
  );
  const sellerIds = accounts.filter((account) => account.role === 'seller').map((account) => account.id);
  const pool = createPgPool(target.postgresUrl, { max: 1 });
  try {
    const loaded = await loadCatalogue(pool, {
      seed: options.seed ?? DEMO_SEED,
      products: options.products,
      sellerIds,
      reset: options.reset ?? false,
      imagesDir: target.imagesDir,
    });
    return { accounts, products: loaded.generated, inserted: loaded.inserted, deleted: loaded.deleted };
  } finally {
    await pool.end();
  }
}

/** STACK_DEMO_DATA: small (default), large, none, or a number of products. */
export function demoProductCount(setting: string | undefined): number {
  const value = (setting ?? '').trim().toLowerCase();
  if (value === '' || value === 'small') return DEMO_PRODUCTS.small;
  if (value === 'large') return DEMO_PRODUCTS.large;
  if (value === 'none') return 0;
  if (/^\d{1,7}$/.test(value) && Number(value) <= 1_000_000) return Number(value);
  throw new Error(`STACK_DEMO_DATA=${setting ?? ''} must be small, large, none or a number of products`);
}

export function describeDemo(outcome: DemoOutcome): string[] {
  const sellers = outcome.accounts.filter((account) => account.role === 'seller').length;
  return [
    '',
    `Demo data: ${outcome.products} products from ${sellers} sellers (${outcome.inserted} new)` +
      '   (STACK_DEMO_DATA=none to skip, =large for 10,000)',
    `  every demo account's password: ${DEMO_PASSWORD}   (a local demo default: never use it elsewhere)`,
    ...outcome.accounts.map(
      (account) => `  ${account.role.padEnd(8)} ${account.username.padEnd(24)} ${account.companyName}`,
    ),
  ];
}

/**
 * What `npm start` runs once the stack is ready: seeds unless STACK_DEMO_DATA=none and prints
 * the demo logins. A failure is reported, not fatal: the stack itself is up.
 */
export async function offerDemoData(stack: StackInfo, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const needed = ['ms-auth', 'ms-users', 'ms-products'];
  if (!needed.every((name) => stack.services.includes(name))) return;
  try {
    const products = demoProductCount(env['STACK_DEMO_DATA']);
    if (products === 0) return;
    console.log(describeDemo(await seedDemo(demoTargetOf(stack), { products })).join('\n'));
  } catch (error) {
    console.log(`\n[stack] demo data not loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The target of the stack recorded in a state dir (ports, prefix and secrets of its last start). */
export function demoTargetOfStateDir(stateDir: string): DemoTarget {
  const config = readConfig(stateDir);
  const spec = serviceByName('ms-products');
  const secretsPath = secretsFile(stateDir);
  if (config === null || spec === undefined || !existsSync(secretsPath)) {
    throw new Error(`no stack recorded in ${stateDir}: run npm start`);
  }
  const secrets = parseEnvFile(readFileSync(secretsPath, 'utf8'));
  const context = stackContext(stateDir, config, process.env, secrets);
  const env = serviceEnv(context, spec);
  return {
    gatewayUrl: context.gatewayUrl,
    frontendSecret: secret(secrets, 'CLIENT_SECRET_FRONTEND'),
    postgresUrl: env['POSTGRES_URL'] ?? '',
    imagesDir: env['IMAGES_DIR'],
  };
}

async function main(argv: string[]): Promise<void> {
  let products: number = DEMO_PRODUCTS.small;
  let reset = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--reset') reset = true;
    else if (arg === '--products') products = demoProductCount(argv[++i]);
    else
      throw new Error(`unknown argument ${arg ?? ''}; usage: seed-demo [--products N|small|large] [--reset]`);
  }
  const target = demoTargetOfStateDir(resolveStateDir());
  const outcome = await seedDemo(target, { products, reset });
  console.log(describeDemo(outcome).join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`seed-demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
