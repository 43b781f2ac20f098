import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { RawConnection, httpRequest, requestBytes, waitFor } from '@marketshare/platform/testing';
import {
  countRows,
  field,
  insertProduct,
  leftovers,
  listTree,
  noisyImage,
  problemFields,
  startImagesService,
  upload,
  waitForStatus,
  type ImagesTestService,
  type UploadFile,
} from '../fixtures/images-harness.js';

const MAX_BYTES = 5 * 1024 * 1024;

describe('ms-products images: upload, validation, thumbnails', function () {
  this.timeout(30_000);
  let service: ImagesTestService;
  let sellerToken: string;
  let png: Buffer;
  let jpeg: Buffer;
  let webp: Buffer;

  before(async function () {
    this.timeout(60_000);
    service = await startImagesService({ IMAGE_MAX_PER_PRODUCT: '3', IMAGE_MAX_PIXELS: '1000000' });
    sellerToken = service.issuer.userToken('seller-a', 'seller');
    png = await noisyImage(800, 600).png().toBuffer();
    jpeg = await noisyImage(600, 900).jpeg({ quality: 90 }).toBuffer();
    webp = await noisyImage(300, 200).webp().toBuffer();
  });
  after(async () => {
    await service?.stop();
  });

  /** Uploads that must be refused: same answer, and the disk, the rows and the outbox untouched. */
  async function assertRefused(
    file: UploadFile | undefined,
    expected: { status: number; code: string; field?: string },
    options: Parameters<typeof upload>[4] = {},
  ): Promise<void> {
    const productId = await insertProduct(service.pool, 'seller-a');
    const response = await upload(service, productId, sellerToken, file, options);
    assert.equal(response.status, expected.status, JSON.stringify(response.body));
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(field(response.body, 'code'), expected.code);
    if (expected.field) assert.deepEqual(problemFields(response.body), [expected.field]);
    assert.deepEqual(await leftovers(service.imagesDir, productId), [], 'nothing left on disk');
    assert.equal(await countRows(service.pool, 'product_images', productId), 0, 'no image row');
    assert.equal(await countRows(service.pool, 'outbox', productId), 0, 'no event');
  }

  it('stores a real PNG, JPEG and WebP and makes thumbnails inside 320×320 asynchronously', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const cases = [
      { bytes: png, type: 'image/png', size: [800, 600], thumbnail: [320, 240] },
      { bytes: jpeg, type: 'image/jpeg', size: [600, 900], thumbnail: [213, 320] },
      { bytes: webp, type: 'image/webp', size: [300, 200], thumbnail: [300, 200] },
    ];
    for (const [index, example] of cases.entries()) {
      const response = await upload(
        service,
        productId,
        sellerToken,
        { bytes: example.bytes, name: 'whatever.bin', type: 'application/octet-stream' },
        { fields: { alt: `View ${index}` } },
      );
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const image = response.body;
      const imageId = String(field(image, 'id'));
      assert.equal(field(image, 'contentType'), example.type, 'type comes from the bytes');
      assert.deepEqual([field(image, 'width'), field(image, 'height')], example.size);
      assert.equal(field(image, 'byteSize'), example.bytes.length);
      assert.equal(field(image, 'sha256'), createHash('sha256').update(example.bytes).digest('hex'));
      assert.equal(field(image, 'alt'), `View ${index}`);
      assert.equal(field(image, 'position'), index);
      assert.equal(field(image, 'status'), 'pending');
      const original = `http://shop.test:8080/api/products/${productId}/images/${imageId}`;
      assert.deepEqual(field(image, 'urls'), { original, thumbnail: `${original}/thumbnail` });
      assert.equal(response.headers.get('location'), original);

      const extension = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' }[example.type];
      const stored = await readFile(path.join(service.imagesDir, productId, `${imageId}.${extension}`));
      assert.ok(stored.equals(example.bytes), 'the original is stored byte for byte');

      await waitForStatus(service, imageId, 'ready');
      const thumbnailFile = path.join(service.imagesDir, productId, `${imageId}.thumb.webp`);
      const metadata = await sharp(thumbnailFile).metadata();
      assert.equal(metadata.format, 'webp');
      assert.deepEqual([metadata.width, metadata.height], example.thumbnail);
      const listed = await httpRequest(`${service.url}/api/products/${productId}/images`);
      const items = field(listed.body, 'items');
      assert.ok(Array.isArray(items));
      const entry: unknown = items.find((item: unknown) => field(item, 'id') === imageId);
      assert.equal(field(entry, 'status'), 'ready');
      assert.deepEqual(field(entry, 'thumbnail'), {
        width: example.thumbnail[0],
        height: example.thumbnail[1],
      });
    }
    const files = await listTree(path.join(service.imagesDir, productId));
    assert.equal(
      files.length,
      6,
      `three originals and three thumbnails, no temporary files: ${files.join(', ')}`,
    );
    assert.ok(!(await listTree(service.imagesDir)).some((name) => name.startsWith('.upload-')));
  });

  it('applies the EXIF orientation to the stored dimensions and the thumbnail', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    // Stored 400×200, displayed rotated a quarter turn: 200×400.
    const rotated = await noisyImage(400, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const response = await upload(service, productId, sellerToken, { bytes: rotated });
    assert.equal(response.status, 201);
    assert.deepEqual([field(response.body, 'width'), field(response.body, 'height')], [200, 400]);
    const imageId = String(field(response.body, 'id'));
    await waitForStatus(service, imageId, 'ready');
    const metadata = await sharp(path.join(service.imagesDir, productId, `${imageId}.thumb.webp`)).metadata();
    assert.deepEqual([metadata.width, metadata.height], [160, 320]);
  });

  it('refuses a renamed text file (.png name, image/png declared) with 415', async () => {
    const text = Buffer.from('This is a plain text file pretending to be a PNG.\n'.repeat(20));
    await assertRefused(
      { bytes: text, name: 'photo.png', type: 'image/png' },
      { status: 415, code: 'unsupported_image_type', field: 'image' },
    );
  });

  it('refuses a file over the limit with 413, while it streams and when declared up front', async () => {
    // Starts like a PNG, so only the size can refuse it.
    const oversized = Buffer.concat([png.subarray(0, 16), Buffer.alloc(MAX_BYTES + 1 - 16, 1)]);
    await assertRefused({ bytes: oversized }, { status: 413, code: 'image_too_large', field: 'image' });
    const wayOver = Buffer.concat([png.subarray(0, 16), Buffer.alloc(MAX_BYTES + 512 * 1024, 1)]);
    await assertRefused({ bytes: wayOver }, { status: 413, code: 'image_too_large', field: 'image' });
  });

  it('refuses truncated images with 422 invalid_image', async () => {
    await assertRefused(
      { bytes: png.subarray(0, Math.floor(png.length / 2)) },
      { status: 422, code: 'invalid_image', field: 'image' },
    );
    await assertRefused(
      { bytes: jpeg.subarray(0, jpeg.length - 1000), type: 'image/jpeg' },
      { status: 422, code: 'invalid_image', field: 'image' },
    );
  });

  it('refuses images with more pixels than IMAGE_MAX_PIXELS before decoding them', async () => {
    // 4 megapixels of one colour compress to a few kilobytes: a small decompression bomb.
    const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#888' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    await assertRefused({ bytes: bomb }, { status: 422, code: 'image_too_many_pixels', field: 'image' });
  });

  it('refuses malformed forms: no file, another field, two files, a long alt, not multipart', async () => {
    await assertRefused(
      undefined,
      { status: 400, code: 'validation_failed', field: 'image' },
      { fields: { alt: 'x' } },
    );
    await assertRefused(
      { bytes: png },
      { status: 400, code: 'validation_failed', field: 'price' },
      {
        fields: { price: '1' },
      },
    );
    await assertRefused(
      { bytes: png },
      { status: 400, code: 'validation_failed', field: 'photo' },
      { field: 'photo' },
    );
    await assertRefused(
      { bytes: png },
      { status: 400, code: 'too_many_files', field: 'image' },
      {
        extraFile: { bytes: png },
      },
    );
    await assertRefused(
      { bytes: png },
      { status: 400, code: 'validation_failed', field: 'alt' },
      {
        fields: { alt: 'a'.repeat(301) },
      },
    );
    const productId = await insertProduct(service.pool, 'seller-a');
    const json = await httpRequest(`${service.url}/api/products/${productId}/images`, {
      headers: { authorization: `Bearer ${sellerToken}` },
      json: { image: png.toString('base64') },
    });
    assert.equal(json.status, 415);
    assert.equal(field(json.body, 'code'), 'unsupported_media_type');
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const boundary = 'images-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    );
    const request = http.request(`${service.url}/api/products/${productId}/images`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sellerToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + png.length + 64),
      },
    });
    request.on('error', () => undefined);
    request.write(Buffer.concat([head, png.subarray(0, 20_000)]));
    await waitFor(
      async () => (await listTree(service.imagesDir)).some((name) => name.startsWith('.upload-')),
      {
        what: 'the upload being staged',
      },
    );
    request.destroy();
    await waitFor(async () => (await leftovers(service.imagesDir, productId)).length === 0, {
      what: 'the staged file removed',
    });
    assert.equal(await countRows(service.pool, 'product_images', productId), 0);
  });

  it('answers a form cut off before its closing boundary with 400 and serves the connection on', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const small = await noisyImage(40, 30).png().toBuffer();
    const port = Number(new URL(service.url).port);
    // At several points: in the part headers, mid-file, and right after the file's bytes.
    const part = Buffer.concat([
      Buffer.from(
        '--b\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n',
      ),
      small,
    ]);
    for (const cut of [20, part.length - Math.floor(small.length / 2), part.length]) {
      const body = part.subarray(0, cut);
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          requestBytes({
            method: 'POST',
            target: `/api/products/${productId}/images`,
            headers: {
              authorization: `Bearer ${sellerToken}`,
              'content-type': 'multipart/form-data; boundary=b',
            },
            body,
          }),
        );
        const answer = await connection.next(10_000);
        assert.ok(answer.kind === 'response', `cut at ${cut}: ${answer.kind}`);
        assert.equal(answer.response.status, 400, answer.response.body.toString());
        assert.equal(field(JSON.parse(answer.response.body.toString()), 'code'), 'malformed_body');
        await connection.write(requestBytes({ method: 'GET', target: '/readyz' }));
        const next = await connection.next(2_000);
        assert.equal(next.kind === 'response' && next.response.status, 200, `cut at ${cut}`);
      } finally {
        connection.destroy();
      }
    }
    assert.deepEqual(await leftovers(service.imagesDir, productId), []);
    assert.equal(await countRows(service.pool, 'product_images', productId), 0);
  });

  it('lets only the seller upload: another seller 403 (404 on a draft), a consumer 403, anonymous 401', async () => {
    const published = await insertProduct(service.pool, 'seller-a');
    const draft = await insertProduct(service.pool, 'seller-a', 'unpublished');
    const other = service.issuer.userToken('seller-b', 'seller');
    const consumer = service.issuer.userToken('consumer-c', 'consumer');
    const answers = [
      await upload(service, published, other, { bytes: png }),
      await upload(service, draft, other, { bytes: png }),
      await upload(service, published, consumer, { bytes: png }),
      await upload(service, published, undefined, { bytes: png }),
    ];
    assert.deepEqual(
      answers.map((answer) => [answer.status, field(answer.body, 'code')]),
      [
        [403, 'not_product_seller'],
        [404, 'not_found'],
        [403, 'forbidden_role'],
        [401, 'unauthenticated'],
      ],
    );
    assert.deepEqual(await leftovers(service.imagesDir, published), []);
    assert.deepEqual(await leftovers(service.imagesDir, draft), []);
    assert.equal(await countRows(service.pool, 'product_images', published), 0);
    assert.equal(await countRows(service.pool, 'product_images', draft), 0);
  });

  it('allows IMAGE_MAX_PER_PRODUCT images per product, then 409', async () => {
    const productId = await insertProduct(service.pool, 'seller-a');
    const small = await noisyImage(40, 30).png().toBuffer();
    for (let n = 0; n < 3; n += 1) {
      const stored = await upload(service, productId, sellerToken, { bytes: small });
      assert.equal(stored.status, 201);
      await waitForStatus(service, String(field(stored.body, 'id')), 'ready');
    }
    const treeBefore = await leftovers(service.imagesDir, productId);
    const fourth = await upload(service, productId, sellerToken, { bytes: small });
    assert.equal(fourth.status, 409);
    assert.equal(field(fourth.body, 'code'), 'too_many_images');
    assert.deepEqual(await leftovers(service.imagesDir, productId), treeBefore);
    assert.equal(await countRows(service.pool, 'product_images', productId), 3);
  });

  it('counts uploads by outcome', async () => {
    const metrics = await service.metrics.registry.getSingleMetricAsString('product_image_uploads_total');
    assert.match(metrics, /outcome="stored"/);
    assert.match(metrics, /outcome="unsupported_image_type"/);
    await waitFor(
      async () =>
        /outcome="made"/.test(
          await service.metrics.registry.getSingleMetricAsString('product_image_thumbnails_total'),
        ),
      { what: 'thumbnails counted' },
    );
  });
});
