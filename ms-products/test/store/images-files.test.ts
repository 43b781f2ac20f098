import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ImageFiles } from '../../src/store/images-files.js';

describe('ms-products image files: staging', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ms-products-staging-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('leaves no staged file when the upload fails before or while its file is opened', async () => {
    const files = new ImageFiles(root);
    // An upload refused at once (a form cut off, a client gone): the source is already failed
    // while the staged file is still being opened.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const source = new Readable({ read() {} });
      source.on('error', () => undefined); // as readImageForm listens
      source.destroy(new Error('upload refused'));
      await assert.rejects(files.stage(source, new PassThrough()));
    }
    assert.deepEqual(await readdir(root), []);
  });

  it('leaves no staged file when the upload fails midway', async () => {
    const files = new ImageFiles(root);
    const source = new Readable({ read() {} });
    const staging = files.stage(source, new PassThrough());
    source.push(Buffer.alloc(64 * 1024, 1));
    setTimeout(() => source.destroy(new Error('client gone')), 20);
    await assert.rejects(staging);
    assert.deepEqual(await readdir(root), []);
  });
});
