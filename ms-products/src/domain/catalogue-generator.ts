/**
 * The demo catalogue: realistic B2B products drawn from word lists with a seeded PRNG, so a
 * seed always yields byte-identical products (demos, tests and the search benchmark agree).
 * Product i depends only on the seed and i: the first N products of any run are the same.
 */
import { createHash } from 'node:crypto';
import {
  BRANDS,
  BUYERS,
  CATALOGUE_VOCABULARY,
  CONDITIONS,
  MODEL_PREFIXES,
  ORIGINS,
  WAREHOUSES,
  type CategoryVocabulary,
} from './catalogue-words.js';

export type DemoCurrency = 'EUR' | 'USD' | 'GBP';

export interface GeneratedProduct {
  /** Deterministic: a UUIDv5 of the seed, the seller and the product's index. */
  id: string;
  sellerId: string;
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: DemoCurrency;
  stock: number;
  attributes: Record<string, string | number>;
  /**
   * A demo rating aggregate as the ratings module keeps it (the sum of `count` reviews of 1–5
   * stars; the average is derived), or null for a product nobody has reviewed.
   */
  rating: { total: number; count: number } | null;
  /** ISO 8601, within the year before CATALOGUE_EPOCH. */
  createdAt: string;
}

export interface CatalogueOptions {
  /** Any integer; reduced to 32 bits. */
  seed: number;
  count: number;
  /** Products go to the sellers in turn (product i to sellerIds[i % length]). */
  sellerIds: readonly string[];
  /** First product index (to generate a slice of a larger catalogue); default 0. */
  offset?: number;
}

/** Demo products are dated in the year before this instant, so a seed always gives the same dates. */
export const CATALOGUE_EPOCH = Date.UTC(2025, 0, 1);

/** Namespace of the demo products' UUIDv5 ids. */
const ID_NAMESPACE = '6f1d3c52-8a7e-4b1f-9c3d-2e5a7b9c0d14';

const YEAR_SECONDS = 365 * 24 * 3600;

export type Random = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for demo data (never for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Mixes the seed and a product index into the independent seed of that product's PRNG. */
function productSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ index;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** RFC 9562 name-based UUID (version 5, SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function demoProductId(seed: number, sellerId: string, index: number): string {
  return uuidV5(ID_NAMESPACE, `demo-catalogue:${seed >>> 0}:${sellerId}:${index}`);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Prices look like shop prices: log-uniform in the category's range, ending in .99, .50, ... */
function demoPrice(random: Random, vocabulary: CategoryVocabulary, currency: DemoCurrency): number {
  const [min, max] = vocabulary.priceMinor;
  const eurCents = Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)));
  const rate = currency === 'USD' ? 1.08 : currency === 'GBP' ? 0.85 : 1;
  const cents = Math.round(eurCents * rate);
  if (cents < 100) return Math.max(1, Math.round(cents / 5) * 5);
  const major = Math.floor(cents / 100);
  return major * 100 + pick(random, [99, 99, 95, 90, 50, 49, 0]);
}

function demoCurrency(random: Random): DemoCurrency {
  const roll = random();
  return roll < 0.8 ? 'EUR' : roll < 0.92 ? 'USD' : 'GBP';
}

/** About 8 % sold out; the rest mostly small stock, some large. */
function demoStock(random: Random): number {
  const roll = random();
  if (roll < 0.08) return 0;
  if (roll < 0.55) return integerBetween(random, 1, 100);
  if (roll < 0.88) return integerBetween(random, 101, 1_000);
  return integerBetween(random, 1_001, 20_000);
}

function demoRating(random: Random): GeneratedProduct['rating'] {
  if (random() < 0.4) return null;
  const count = 1 + Math.floor(random() ** 3 * 120);
  // The sum of three uniforms is a cheap bell curve: most products rate around 4.
  const bell = (random() + random() + random()) / 3;
  const average = 2.3 + bell * 3.4;
  return { total: Math.min(5 * count, Math.max(count, Math.round(average * count))), count };
}

function modelCode(random: Random): string {
  const suffix = random() < 0.4 ? pick(random, ['A', 'B', 'C', 'S', 'X', 'Pro']) : '';
  return `${pick(random, MODEL_PREFIXES)}-${integerBetween(random, 100, 9_999)}${suffix}`;
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** Lower-cases ordinary capitalised words for running text, keeping acronyms (LED, PTFE, IP65-Rated). */
function inText(phrase: string): string {
  return phrase
    .split(' ')
    .map((word) => (/^[A-Z][a-z]+(-[A-Za-z][a-z]+)*$/.test(word) ? word.toLowerCase() : word))
    .join(' ');
}

/**
 * The article before a product phrase: "a pair of" for plurals (gloves, goggles), else "a" or
 * "an" by sound (vowels, and acronyms read letter by letter that start with a vowel sound).
 */
function article(phrase: string): string {
  if (phrase.endsWith('s')) return 'a pair of';
  return /^[aeiou]/i.test(phrase) || /^[FHLMNRSX][A-Z0-9]/.test(phrase) ? 'an' : 'a';
}

function demoDescription(
  random: Random,
  vocabulary: CategoryVocabulary,
  parts: { adjective: string; material: string; noun: string; brand: string; code: string; pack: number },
): string {
  const { adjective, material, noun, brand, code, pack } = parts;
  const [what, made] = [`${inText(adjective)} ${inText(noun)}`, inText(material)];
  const openings = [
    `${adjective} ${made} ${inText(noun)} from ${brand}, built for ${pick(random, vocabulary.uses)}.`,
    `The ${brand} ${code} is ${article(what)} ${what} in ${made}, made for ${pick(random, vocabulary.uses)}.`,
    `${sentence(article(what))} ${what} in ${made} for ${pick(random, vocabulary.uses)} and daily use in ${pick(random, vocabulary.settings)}.`,
  ];
  const details = [
    `It meets ${pick(random, vocabulary.standards)} and ships in packs of ${pack}.`,
    `${sentence(made)} gives ${noun.endsWith('s') ? 'them' : 'it'} ${pick(random, vocabulary.benefits)}, even under ${pick(random, CONDITIONS)}.`,
    `Each unit is inspected before dispatch and comes with a ${integerBetween(random, 1, 5)}-year warranty.`,
  ];
  const extras = [
    `Popular with ${pick(random, BUYERS)} across Europe.`,
    `Orders placed before ${integerBetween(random, 12, 16)}:00 ship the same working day from ${pick(random, WAREHOUSES)}.`,
    `Volume pricing is available from ${pick(random, [50, 100, 250, 500, 1000])} units.`,
    `Certified to ${pick(random, vocabulary.standards)}; data sheets are available on request.`,
  ];
  const sentences = [pick(random, openings), pick(random, details)];
  const extraCount = integerBetween(random, 0, 2);
  for (let n = 0; n < extraCount; n += 1) {
    const extra = pick(random, extras);
    if (!sentences.includes(extra)) sentences.push(extra);
  }
  return sentences.join(' ');
}

function demoAttributes(
  random: Random,
  vocabulary: CategoryVocabulary,
  parts: { brand: string; code: string; pack: number },
): Record<string, string | number> {
  const attributes: Record<string, string | number> = { brand: parts.brand, model: parts.code };
  for (const spec of vocabulary.attributes) {
    if (random() < 0.8) attributes[spec.key] = pick(random, spec.values);
  }
  attributes['pack_size'] = parts.pack;
  attributes['country_of_origin'] = pick(random, ORIGINS);
  return attributes;
}

/** One product, from the seed and its index alone (the seller only changes its id). */
export function generateProduct(seed: number, index: number, sellerId: string): GeneratedProduct {
  const random = mulberry32(productSeed(seed, index));
  const vocabulary = pick(random, CATALOGUE_VOCABULARY);
  const adjective = pick(random, vocabulary.adjectives);
  const material = pick(random, vocabulary.materials);
  const noun = pick(random, vocabulary.nouns);
  const brand = pick(random, BRANDS);
  const code = modelCode(random);
  const pack = pick(random, [1, 1, 1, 5, 10, 25, 50, 100]);
  const currency = demoCurrency(random);
  const createdAt = new Date(CATALOGUE_EPOCH - Math.floor(random() * YEAR_SECONDS) * 1000);
  return {
    id: demoProductId(seed, sellerId, index),
    sellerId,
    name: `${adjective} ${material} ${noun} ${code}`,
    description: demoDescription(random, vocabulary, { adjective, material, noun, brand, code, pack }),
    category: vocabulary.category,
    priceMinor: demoPrice(random, vocabulary, currency),
    currency,
    stock: demoStock(random),
    attributes: demoAttributes(random, vocabulary, { brand, code, pack }),
    rating: demoRating(random),
    createdAt: createdAt.toISOString(),
  };
}

/** Products offset … offset+count−1 of the seed's catalogue, lazily. */
export function* generateCatalogue(options: CatalogueOptions): Generator<GeneratedProduct> {
  const { seed, count, sellerIds } = options;
  if (sellerIds.length === 0) throw new Error('the catalogue needs at least one seller');
  if (!Number.isInteger(count) || count < 0) throw new Error(`invalid product count: ${count}`);
  const offset = options.offset ?? 0;
  for (let index = offset; index < offset + count; index += 1) {
    const sellerId = sellerIds[index % sellerIds.length] ?? '';
    yield generateProduct(seed, index, sellerId);
  }
}

/** The categories the generator draws from, in a stable order. */
export const DEMO_CATEGORIES: readonly string[] = CATALOGUE_VOCABULARY.map((entry) => entry.category);
