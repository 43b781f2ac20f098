import { randomUUID } from 'node:crypto';
import type { PgPool } from '@marketshare/platform/pg';
import { clientFor, field, type CatalogueTestService } from './products-support.js';

/** A small hand-written catalogue whose search answers are known. */
export interface FixtureProduct {
  key: string;
  name: string;
  category: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  seller: 'north' | 'south' | 'east';
  rating?: [average: number, count: number];
  unpublished?: boolean;
}

// One line per product reads as a table.
// prettier-ignore
export const FIXTURE: FixtureProduct[] = [
  { key: 'skillet', name: 'Cast iron skillet', category: 'Kitchen', description: 'Pre-seasoned cast iron pan for searing and baking.', priceMinor: 3900, currency: 'EUR', stock: 12, seller: 'north', rating: [4.8, 25] },
  { key: 'pan', name: 'Stainless steel frying pan', category: 'Kitchen', description: 'Tri-ply pan, oven safe, for induction hobs.', priceMinor: 5400, currency: 'EUR', stock: 0, seller: 'south', rating: [4.2, 10] },
  { key: 'knife', name: "Chef's knife", category: 'Kitchen', description: 'Forged steel knife with a 20 cm blade.', priceMinor: 8900, currency: 'EUR', stock: 4, seller: 'north', rating: [4.9, 40] },
  { key: 'board', name: 'Bamboo cutting board', category: 'Kitchen', description: 'A large board, kind to knife edges.', priceMinor: 2500, currency: 'EUR', stock: 30, seller: 'east' },
  { key: 'espresso', name: 'Espresso machine', category: 'Kitchen', description: 'A 15 bar pump espresso maker with a milk frother.', priceMinor: 24900, currency: 'EUR', stock: 2, seller: 'south', rating: [3.9, 8] },
  { key: 'grinder', name: 'Coffee grinder', category: 'Kitchen', description: 'Burr grinder for espresso and filter coffee.', priceMinor: 7900, currency: 'EUR', stock: 0, seller: 'east', rating: [4.4, 12] },
  { key: 'chair', name: 'Ergonomic office chair', category: 'Office', description: 'Adjustable lumbar support and a mesh back.', priceMinor: 32900, currency: 'EUR', stock: 7, seller: 'north', rating: [4.1, 30] },
  { key: 'desk', name: 'Standing desk', category: 'Office', description: 'Electric, height adjustable, 140 x 70 cm.', priceMinor: 45900, currency: 'EUR', stock: 3, seller: 'south', rating: [4.6, 18] },
  { key: 'lamp', name: 'Desk lamp', category: 'Office', description: 'LED lamp with a dimmer.', priceMinor: 3900, currency: 'EUR', stock: 50, seller: 'east', rating: [3.5, 4] },
  { key: 'pen', name: 'Fountain pen', category: 'Office', description: 'Refillable, with a fine nib.', priceMinor: 4500, currency: 'GBP', stock: 9, seller: 'north' },
  { key: 'notebook', name: 'Paper notebook', category: 'Office', description: 'Dotted A5 notebook, 120 pages.', priceMinor: 900, currency: 'GBP', stock: 200, seller: 'south', rating: [4.0, 2] },
  { key: 'hose', name: 'Garden hose', category: 'Garden', description: 'Thirty metres, with a spray nozzle.', priceMinor: 2900, currency: 'EUR', stock: 15, seller: 'east', rating: [3.2, 6] },
  { key: 'shears', name: 'Pruning shears', category: 'Garden', description: 'Bypass secateurs with steel blades.', priceMinor: 2200, currency: 'EUR', stock: 0, seller: 'north', rating: [4.7, 9] },
  { key: 'mower', name: 'Cordless lawn mower', category: 'Garden', description: 'Battery powered, 40 cm cut.', priceMinor: 29900, currency: 'EUR', stock: 5, seller: 'south', rating: [4.3, 14] },
  { key: 'bed', name: 'Raised garden bed', category: 'Garden', description: 'Cedar bed for vegetables and herbs.', priceMinor: 11900, currency: 'USD', stock: 8, seller: 'east' },
  { key: 'headphones', name: 'Wireless headphones', category: 'Electronics', description: 'Noise cancelling, over-ear.', priceMinor: 19900, currency: 'USD', stock: 11, seller: 'north', rating: [4.5, 60] },
  { key: 'charger', name: 'USB-C charger', category: 'Electronics', description: 'A 65 W fast charger for laptops and phones.', priceMinor: 3500, currency: 'USD', stock: 40, seller: 'south', rating: [4.4, 22] },
  { key: 'keyboard', name: 'Mechanical keyboard', category: 'Electronics', description: 'Hot-swappable switches, for the office and for gaming.', priceMinor: 12900, currency: 'EUR', stock: 6, seller: 'east', rating: [4.8, 16] },
  { key: 'stand', name: 'Laptop stand', category: 'Electronics', description: 'Aluminium; raises the laptop screen to eye level.', priceMinor: 4900, currency: 'EUR', stock: 0, seller: 'north' },
  { key: 'speaker', name: 'Bluetooth speaker', category: 'Electronics', description: 'Waterproof and portable, for the garden.', priceMinor: 5900, currency: 'EUR', stock: 13, seller: 'south', rating: [3.8, 5] },
  { key: 'beans', name: 'Coffee beans', category: 'Kitchen', description: 'Single origin espresso roast, 1 kg.', priceMinor: 2400, currency: 'EUR', stock: 100, seller: 'east', rating: [4.6, 33] },
  { key: 'bottle', name: 'Water bottle', category: 'Kitchen', description: 'Insulated stainless steel, keeps drinks cold.', priceMinor: 2000, currency: 'EUR', stock: 25, seller: 'north', rating: [4.0, 11] },
  { key: 'stapler', name: 'Stapler', category: 'Office', description: 'Heavy duty; 50 sheets at once.', priceMinor: 1500, currency: 'EUR', stock: 0, seller: 'south' },
  { key: 'book', name: 'Coffee at home', category: 'Books', description: 'A guide to brewing coffee: espresso, filter and cold brew.', priceMinor: 2500, currency: 'EUR', stock: 10, seller: 'east', rating: [4.9, 3] },
  { key: 'prototype', name: 'Secret espresso prototype', category: 'Kitchen', description: 'Not for sale yet: espresso espresso.', priceMinor: 100, currency: 'EUR', stock: 1, seller: 'north', unpublished: true },
];

export interface LoadedFixture {
  sellerIds: Record<FixtureProduct['seller'], string>;
  /** fixture key → product id */
  ids: Map<string, string>;
  /** product id → fixture product */
  byId: Map<string, FixtureProduct & { id: string; sellerId: string }>;
}

/** Creates the fixture through the API, in order (so newest-first is the reverse), then sets ratings. */
export async function loadFixture(service: CatalogueTestService, pool: PgPool): Promise<LoadedFixture> {
  const sellerIds = { north: randomUUID(), south: randomUUID(), east: randomUUID() };
  const ids = new Map<string, string>();
  const byId: LoadedFixture['byId'] = new Map();
  for (const product of FIXTURE) {
    const seller = clientFor(service, service.issuer.userToken(sellerIds[product.seller], 'seller'));
    const response = await seller.send('POST', '/api/products', {
      name: product.name,
      category: product.category,
      description: product.description,
      priceMinor: product.priceMinor,
      currency: product.currency,
      stock: product.stock,
      status: product.unpublished ? 'unpublished' : 'published',
    });
    if (response.status !== 201) throw new Error(`fixture ${product.key}: ${response.text}`);
    const id = String(field(response.body, 'id'));
    ids.set(product.key, id);
    byId.set(id, { ...product, id, sellerId: sellerIds[product.seller] });
    if (product.rating) {
      // Ratings arrive from review events; the fixture writes the aggregate directly.
      await pool.query('UPDATE products SET rating_average = $2, rating_count = $3 WHERE id = $1', [
        id,
        product.rating[0],
        product.rating[1],
      ]);
    }
  }
  return { sellerIds, ids, byId };
}
