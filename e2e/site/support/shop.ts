/**
 * A small shop for browser tests that walk every page: a seller with a few products (one with
 * an image), and a consumer with one order and a filled cart — all made through the gateway,
 * as the services' own clients would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@marketshare/platform/testing';
import sharp from 'sharp';
import { field } from '../../support/gateway-client.js';
import { ordersIn } from '../../support/orders-world.js';
import type { Account, World } from '../../support/world.js';

export type Member = Account & { id: string; token: string };

export interface Shop {
  seller: Member;
  consumer: Member;
  /** The product with an image; the others follow it. */
  productId: string;
  productName: string;
  productIds: string[];
  orderId: string;
}

const PRODUCTS = [
  { name: 'Nitrile gloves, box of 100', category: 'Safety & PPE', priceMinor: 1299, stock: 40 },
  { name: 'Safety helmet EN 397', category: 'Safety & PPE', priceMinor: 2450, stock: 12 },
  { name: 'Hex bolts M8 × 40, pack of 50', category: 'Fasteners', priceMinor: 875, stock: 200 },
  { name: 'Two-part epoxy adhesive 50 ml', category: 'Adhesives', priceMinor: 1190, stock: 0 },
];

/** Registered through the gateway; a company name people can read in the screenshots. */
async function member(world: World, role: 'seller' | 'consumer', companyName: string): Promise<Member> {
  const account = { ...world.newAccount(role), companyName };
  const response = await world.gateway.register(account);
  assert.equal(response.status, 201, response.text);
  const id = String(field(response.body, 'id'));
  return { ...account, id, token: world.signer.sign({ sub: id, role }) };
}

/** A `tag` goes into every product name, so a search can find this shop's products alone. */
export async function openShop(world: World, tag = ''): Promise<Shop> {
  const site = world.stack.info.urls.gateway;
  const [seller, consumer] = await Promise.all([
    member(world, 'seller', 'Northwind Industrial GmbH'),
    member(world, 'consumer', 'Contoso Workshop AG'),
  ]);
  const named = (name: string) => (tag === '' ? name : `${name} ${tag}`);
  const productIds: string[] = [];
  for (const product of PRODUCTS) {
    const created = await world.gateway.call('/api/products', {
      token: seller.token,
      json: {
        ...product,
        name: named(product.name),
        description: 'Sold by the box to trade customers. Ships within two working days.',
        currency: 'EUR',
        attributes: { material: 'industrial grade' },
      },
    });
    assert.equal(created.status, 201, created.text);
    productIds.push(String(field(created.body, 'id')));
  }
  const productId = productIds[0] ?? '';
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3b82f6' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('image', new Blob([png], { type: 'image/png' }), 'gloves.png');
  const upload = await fetch(`${site}/api/products/${productId}/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seller.token}` },
    body: form,
  });
  assert.equal(upload.status, 201, await upload.text());

  const put = async (id: string, quantity: number) => {
    const answer = await world.gateway.call(`/api/cart/items/${id}`, {
      method: 'PUT',
      token: consumer.token,
      json: { quantity },
    });
    assert.equal(answer.status, 200, answer.text);
  };
  await put(productId, 2);
  const placed = await world.gateway.call('/api/orders/checkout', {
    method: 'POST',
    token: consumer.token,
    headers: { 'idempotency-key': randomUUID() },
    json: {},
  });
  const [order] = ordersIn(placed);
  assert.ok(order, 'one order');
  // The cart again, so the cart and checkout pages show lines rather than their empty states.
  await put(productIds[1] ?? '', 1);
  await put(productIds[2] ?? '', 4);

  await waitFor(
    async () => {
      const list = await world.gateway.call(`/api/products/${productId}/images`);
      const items = field(list.body, 'items');
      return Array.isArray(items) && items.every((item) => field(item, 'status') === 'ready');
    },
    { timeoutMs: 30_000, what: 'the thumbnail' },
  );
  return {
    seller,
    consumer,
    productId,
    productName: named(PRODUCTS[0]?.name ?? ''),
    productIds,
    orderId: order.id,
  };
}
