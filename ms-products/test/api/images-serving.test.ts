import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVENTS_EXCHANGE, EventTypes, newEnvelope, validateEnvelope } from '@marketshare/platform/contracts';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { deadLetterQueueName } from '@marketshare/platform/rabbit';
import { THUMBNAILS_QUEUE } from '../../src/events/thumbnail-worker.js';
import { PgImageRepository } from '../../src/store/images-repository.js';
import {
  bearer,
  countRows,
  field,
  insertProduct,
  listTree,
  noisyImage,
  startImagesService,
  upload,
  waitForStatus,
  type ImagesTestService,
} from '../fixtures/images-harness.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const WIRE_QUEUE = 'test.images-wire';

describe('ms-products images: serving, visibility, deletion, events', function () {
  this.timeout(30_000);
  let service: ImagesTestService;
  let png: Buffer;
  const seller = () => service.issuer.userToken('seller-a', 'seller');

  before(async function () {
    this.timeout(60_000);
    service = await startImagesService();
    png = await noisyImage(640, 480).png().toBuffer();
    await service.channel.assertQueue(WIRE_QUEUE, { durable: false });
    await service.channel.bindQueue(WIRE_QUEUE, EVENTS_EXCHANGE, EventTypes.ProductImageUploaded);
  });
  after(async () => {
    await service?.stop();
  });

  async function uploadedImage(status: 'published' | 'unpublished' = 'published') {
    const productId = await insertProduct(service.pool, 'seller-a', status);
    const response = await upload(service, productId, seller(), { bytes: png });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const imageId = String(field(response.body, 'id'));
    await waitForStatus(service, imageId, 'ready');
    const base = `${service.url}/api/products/${productId}/images/${imageId}`;
    return { productId, imageId, base };
  }

  async function thumbnailOutcomes(outcome: string): Promise<number> {
    const metric = service.metrics.registry.getSingleMetric('product_image_thumbnails_total');
    const values = metric ? (await metric.get()).values : [];
    return values.find((value) => value.labels['outcome'] === outcome)?.value ?? 0;
  }

  it('serves the original and the thumbnail with ETag, immutable caching and 304 on If-None-Match', async () => {
    const { base } = await uploadedImage();
    const etag = `"${createHash('sha256').update(png).digest('hex')}"`;

    const original = await fetch(base);
    assert.equal(original.status, 200);
    assert.equal(original.headers.get('content-type'), 'image/png');
    assert.equal(original.headers.get('etag'), etag);
    assert.equal(original.headers.get('cache-control'), IMMUTABLE);
    assert.equal(original.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(original.headers.get('content-length'), String(png.length));
    assert.ok(Buffer.from(await original.arrayBuffer()).equals(png));

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const cached = await fetch(base, { headers: { 'if-none-match': ifNoneMatch } });
      assert.equal(cached.status, 304, ifNoneMatch);
      assert.equal(cached.headers.get('etag'), etag);
      assert.equal(cached.headers.get('cache-control'), IMMUTABLE);
      assert.equal(await cached.text(), '');
    }
    const stale = await fetch(base, { headers: { 'if-none-match': '"stale"' } });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();
    const head = await fetch(base, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal(head.headers.get('content-length'), String(png.length));

    const thumbnail = await fetch(`${base}/thumbnail`);
    assert.equal(thumbnail.status, 200);
    assert.equal(thumbnail.headers.get('content-type'), 'image/webp');
    assert.equal(thumbnail.headers.get('cache-control'), IMMUTABLE);
    const thumbnailTag = thumbnail.headers.get('etag') ?? '';
    assert.match(thumbnailTag, /^"[0-9a-f]{64}-thumb"$/);
    assert.equal((await thumbnail.arrayBuffer()).byteLength > 0, true);
    const cachedThumbnail = await fetch(`${base}/thumbnail`, { headers: { 'if-none-match': thumbnailTag } });
    assert.equal(cachedThumbnail.status, 304);
  });

  it('answers 404 thumbnail_not_ready (not cacheable) until the thumbnail is made', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const imageId = randomUUID();
    await service.pool.query(
      `INSERT INTO product_images (id, product_id, content_type, byte_size, width, height, sha256, position)
       VALUES ($1, $2, 'image/png', 10, 1, 1, $3, 0)`,
      [imageId, productId, 'a'.repeat(64)],
    );
    const response = await httpRequest(
      `${service.url}/api/products/${productId}/images/${imageId}/thumbnail`,
    );
    assert.equal(response.status, 404);
    assert.equal(field(response.body, 'code'), 'thumbnail_not_ready');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const missing = await httpRequest(`${service.url}/api/products/${productId}/images/${randomUUID()}`);
    assert.equal(missing.status, 404);
    const badId = await httpRequest(`${service.url}/api/products/${productId}/images/not-a-uuid`);
    assert.equal(badId.status, 400);
  });

  it("hides an unpublished product's images from everyone but its seller and admins", async () => {
    const { productId, base } = await uploadedImage('unpublished');
    const list = `${service.url}/api/products/${productId}/images`;
    const outsiders = [
      {},
      bearer(service.issuer.userToken('consumer-c', 'consumer')),
      bearer(service.issuer.userToken('seller-b', 'seller')),
    ];
    for (const headers of outsiders) {
      for (const url of [list, base, `${base}/thumbnail`]) {
        const response = await httpRequest(url, { headers });
        assert.equal(response.status, 404, `${url} ${JSON.stringify(headers)}`);
      }
    }
    for (const token of [seller(), service.issuer.userToken('admin-1', 'admin')]) {
      const listed = await httpRequest(list, { headers: bearer(token) });
      assert.equal(listed.status, 200);
      const items = field(listed.body, 'items');
      assert.ok(Array.isArray(items) && items.length === 1);
      const original = await fetch(base, { headers: bearer(token) });
      assert.equal(original.status, 200);
      assert.equal(original.headers.get('cache-control'), 'private, max-age=31536000, immutable');
      assert.equal(original.headers.get('vary'), 'Authorization');
      await original.arrayBuffer();
    }
  });

  it('lets the seller delete an image, removing its row and files; others cannot', async () => {
    const { productId, imageId, base } = await uploadedImage();
    const productDir = path.join(service.imagesDir, productId);
    assert.deepEqual(await listTree(productDir), [`${imageId}.png`, `${imageId}.thumb.webp`]);

    const refused = [
      await httpRequest(base, {
        method: 'DELETE',
        headers: bearer(service.issuer.userToken('seller-b', 'seller')),
      }),
      await httpRequest(base, {
        method: 'DELETE',
        headers: bearer(service.issuer.userToken('consumer-c', 'consumer')),
      }),
      await httpRequest(base, { method: 'DELETE' }),
    ];
    assert.deepEqual(
      refused.map((response) => response.status),
      [403, 403, 401],
    );
    assert.equal(await countRows(service.pool, 'product_images', productId), 1);

    const deleted = await httpRequest(base, { method: 'DELETE', headers: bearer(seller()) });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await listTree(productDir), []);
    assert.equal(await countRows(service.pool, 'product_images', productId), 0);
    assert.equal((await httpRequest(base)).status, 404);
    assert.equal((await httpRequest(`${base}/thumbnail`)).status, 404);
    assert.equal((await httpRequest(base, { method: 'DELETE', headers: bearer(seller()) })).status, 404);
  });

  it('makes one thumbnail however often the event is delivered', async () => {
    const { productId, imageId } = await uploadedImage();
    const { rows } = await service.pool.query<{ envelope: unknown }>(
      "SELECT envelope FROM outbox WHERE envelope->'data'->>'imageId' = $1",
      [imageId],
    );
    const envelope = validateEnvelope(rows[0]?.envelope);
    const before = await thumbnailOutcomes('already_done');
    await Promise.all([service.publisher.publish(envelope), service.publisher.publish(envelope)]);
    await waitFor(async () => (await thumbnailOutcomes('already_done')) === before + 2, {
      what: 'both duplicates acknowledged',
    });
    assert.deepEqual(await listTree(path.join(service.imagesDir, productId)), [
      `${imageId}.png`,
      `${imageId}.thumb.webp`,
    ]);
  });

  it('acknowledges the event of an image deleted meanwhile without work', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const before = await thumbnailOutcomes('gone');
    await service.publisher.publish(
      newEnvelope(EventTypes.ProductImageUploaded, {
        productId,
        imageId: randomUUID(),
        sellerId: 'seller-a',
        contentType: 'image/png',
      }),
    );
    await waitFor(async () => (await thumbnailOutcomes('gone')) === before + 1, {
      what: 'the event acknowledged',
    });
    assert.deepEqual(
      await listTree(service.imagesDir).then((all) => all.filter((name) => name.startsWith(productId))),
      [],
    );
  });

  it('marks an image whose original cannot be decoded failed and dead-letters its event', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const imageId = randomUUID();
    await service.pool.query(
      `INSERT INTO product_images (id, product_id, content_type, byte_size, width, height, sha256, position)
       VALUES ($1, $2, 'image/png', 10, 1, 1, $3, 0)`,
      [imageId, productId, 'b'.repeat(64)],
    );
    await mkdir(path.join(service.imagesDir, productId), { recursive: true });
    await writeFile(path.join(service.imagesDir, productId, `${imageId}.png`), 'damaged on disk');
    await service.publisher.publish(
      newEnvelope(EventTypes.ProductImageUploaded, {
        productId,
        imageId,
        sellerId: 'seller-a',
        contentType: 'image/png',
      }),
    );
    await waitForStatus(service, imageId, 'failed');
    const deadLetters = deadLetterQueueName(THUMBNAILS_QUEUE);
    await waitFor(async () => (await service.channel.checkQueue(deadLetters)).messageCount === 1, {
      what: 'the event dead-lettered',
    });
    const thumbnail = await httpRequest(
      `${service.url}/api/products/${productId}/images/${imageId}/thumbnail`,
    );
    assert.equal(field(thumbnail.body, 'code'), 'thumbnail_failed');
  });

  it('publishes product.image_uploaded only when the upload transaction commits', async () => {
    await service.channel.purgeQueue(WIRE_QUEUE);
    const productId = await insertProduct(service.pool, 'seller-a');
    const rolledBack = newEnvelope(EventTypes.ProductImageUploaded, {
      productId,
      imageId: randomUUID(),
      sellerId: 'seller-a',
      contentType: 'image/png',
    });
    const repository = new PgImageRepository(service.pool);
    await assert.rejects(
      repository.withProductLocked(productId, async (locked) => {
        assert.ok(locked);
        await locked.insert(
          {
            id: rolledBack.data.imageId,
            productId,
            contentType: 'image/png',
            byteSize: 1,
            width: 1,
            height: 1,
            sha256: 'c'.repeat(64),
            alt: null,
            position: 0,
          },
          rolledBack,
        );
        throw new Error('the file could not be placed');
      }),
      /could not be placed/,
    );
    assert.equal(await countRows(service.pool, 'outbox', productId), 0);

    const response = await upload(service, productId, seller(), { bytes: png });
    assert.equal(response.status, 201);
    const imageId = String(field(response.body, 'id'));
    const message = await waitFor(() => service.channel.get(WIRE_QUEUE, { noAck: true }), {
      what: 'the committed event on the wire',
    });
    const published = validateEnvelope(JSON.parse(message.content.toString('utf8')));
    assert.equal(published.type, EventTypes.ProductImageUploaded);
    assert.deepEqual(published.data, { productId, imageId, sellerId: 'seller-a', contentType: 'image/png' });
    await service.relay.flushOnce();
    assert.equal(await service.channel.get(WIRE_QUEUE, { noAck: true }), false, 'nothing from the rollback');
  });
});
