/** The seed command's arguments: `--products N --sellers ID... [--seed S] [--reset]`. */

export interface SeedArgs {
  products: number;
  sellerIds: string[];
  seed: number;
  reset: boolean;
}

export const SEED_USAGE = [
  'usage: npm run -w ms-products seed -- --products N --sellers ID [ID...] [--seed S] [--reset]',
  '  --products N   how many products (0–1,000,000), spread over the sellers in turn',
  '  --sellers ID   seller account ids (space- or comma-separated)',
  '  --seed S       integer seed of the generator (default 42): same seed, same catalogue',
  "  --reset        delete all of these sellers' products first",
].join('\n');

export const DEFAULT_SEED = 42;
const MAX_PRODUCTS = 1_000_000;
const SELLER_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export class SeedArgsError extends Error {}

function integerArg(name: string, value: string | undefined, min: number, max: number): number {
  const number = Number(value);
  if (value === undefined || !/^-?\d+$/.test(value) || number < min || number > max) {
    throw new SeedArgsError(`${name} must be an integer from ${min} to ${max}`);
  }
  return number;
}

/** Parses argv (without node and the script); throws SeedArgsError with a reason. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let products: number | undefined;
  let seed = DEFAULT_SEED;
  let reset = false;
  const sellerIds: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag = '', inline] = (argv[i] ?? '').split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--products':
        products = integerArg('--products', value(), 0, MAX_PRODUCTS);
        break;
      case '--seed':
        seed = integerArg('--seed', value(), 0, 2 ** 32 - 1);
        break;
      case '--reset':
        reset = true;
        break;
      case '--sellers': {
        // Every following word up to the next flag is a seller id.
        const words = inline !== undefined ? [inline] : [];
        while (inline === undefined && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) {
          words.push(argv[++i] ?? '');
        }
        sellerIds.push(...words.flatMap((word) => word.split(',')).filter((id) => id !== ''));
        break;
      }
      default:
        throw new SeedArgsError(`unknown argument: ${argv[i] ?? ''}`);
    }
  }
  if (products === undefined) throw new SeedArgsError('--products is required');
  if (sellerIds.length === 0) throw new SeedArgsError('--sellers needs at least one seller id');
  const invalid = sellerIds.find((id) => !SELLER_ID.test(id));
  if (invalid !== undefined) throw new SeedArgsError(`not a seller id: ${invalid}`);
  return { products, sellerIds: [...new Set(sellerIds)], seed, reset };
}
