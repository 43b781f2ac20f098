import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImageError } from '../../src/domain/images/errors.js';
import { sniffImageFormat } from '../../src/domain/images/formats.js';
import { UploadInspector } from '../../src/domain/images/upload-inspector.js';

const bytes = (...values: (number | string)[]) =>
  Buffer.concat(
    values.map((value) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from([value]))),
  );

/** Runs chunks through an inspector; resolves with it, or rejects with its refusal. */
async function inspect(
  chunks: Buffer[],
  maxBytes = 1000,
): Promise<{ inspector: UploadInspector; passed: number }> {
  const inspector = new UploadInspector(maxBytes);
  let passed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      callback();
    },
  });
  await pipeline(Readable.from(chunks), inspector, sink);
  return { inspector, passed };
}

describe('ms-products images: format sniffing and upload inspection', () => {
  it('recognises JPEG, PNG and WebP by their magic numbers only', () => {
    assert.equal(sniffImageFormat(bytes(0xff, 0xd8, 0xff, 0xe0, 'JFIF')), 'jpeg');
    assert.equal(sniffImageFormat(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 'rest')), 'png');
    assert.equal(sniffImageFormat(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 ')), 'webp');
    assert.equal(sniffImageFormat(bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt ')), undefined, 'other RIFF files');
    assert.equal(sniffImageFormat(bytes('GIF89a')), undefined);
    assert.equal(sniffImageFormat(bytes('<svg xmlns=')), undefined);
    assert.equal(sniffImageFormat(bytes('PNG image, honest')), undefined);
    assert.equal(sniffImageFormat(bytes(0x89, 'PN')), undefined, 'a cut signature');
  });

  it('passes an image through, counting and hashing it, even when the magic number is split', async () => {
    const image = bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 'x'.repeat(100));
    const { inspector, passed } = await inspect([
      image.subarray(0, 3),
      image.subarray(3, 10),
      image.subarray(10),
    ]);
    assert.equal(inspector.format, 'png');
    assert.equal(passed, image.length);
    assert.equal(inspector.byteSize, image.length);
    assert.equal(inspector.sha256(), createHash('sha256').update(image).digest('hex'));
  });

  it('refuses at once: unknown leading bytes, too many bytes, nothing at all', async () => {
    const refusal = (code: string) => (error: unknown) => error instanceof ImageError && error.code === code;
    await assert.rejects(
      inspect([Buffer.from('hello, I am text'), Buffer.alloc(10_000)]),
      refusal('unsupported_image_type'),
    );
    await assert.rejects(inspect([bytes(0xff, 0xd8)]), refusal('unsupported_image_type'));
    await assert.rejects(
      inspect([bytes(0xff, 0xd8, 0xff), Buffer.alloc(1000)], 1000),
      refusal('image_too_large'),
    );
    await assert.rejects(inspect([]), refusal('empty_image'));
  });
});
