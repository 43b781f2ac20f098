import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageFileStore, OpenedFile, StagedFile } from '../domain/images/ports.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EXTENSION = /^[a-z0-9]{1,8}$/;
/** Uploads in flight are staged beside the product directories (same filesystem: rename is atomic). */
const STAGING_PREFIX = '.upload-';

function checked(kind: string, value: string, pattern: RegExp): string {
  // Ids come from validated requests and our own rows; this keeps a bad one from ever naming another path.
  if (!pattern.test(value)) throw new Error(`not a valid ${kind}: ${JSON.stringify(value)}`);
  return value;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/**
 * Image files under IMAGES_DIR: `${productId}/${imageId}.${ext}` for originals and
 * `${productId}/${imageId}.thumb.webp` for thumbnails. Files appear only by rename, so a
 * reader never sees half a file.
 */
export class ImageFiles implements ImageFileStore {
  readonly root: string;

  constructor(imagesDir: string) {
    this.root = path.resolve(imagesDir);
  }

  /** Creates the root (at startup) and removes uploads a crashed process left staged. */
  async prepare(staleAfterMs = 3_600_000): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const entry of await readdir(this.root)) {
      if (!entry.startsWith(STAGING_PREFIX)) continue;
      const file = path.join(this.root, entry);
      const info = await stat(file).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > staleAfterMs) await rm(file, { force: true });
    }
  }

  async stage(source: Readable, inspect: Transform): Promise<StagedFile> {
    await mkdir(this.root, { recursive: true });
    const stagedPath = path.join(this.root, `${STAGING_PREFIX}${randomUUID()}.tmp`);
    const discard = () => rm(stagedPath, { force: true });
    const target = createWriteStream(stagedPath, { flags: 'wx', mode: 0o644 });
    try {
      await pipeline(source, inspect, target);
    } catch (error) {
      // A source that fails at once can beat the file's open: removing it before the stream has
      // closed would leave the file it then creates behind.
      if (!target.closed) await new Promise<void>((resolve) => target.once('close', () => resolve()));
      await discard();
      throw error;
    }
    return { path: stagedPath, discard };
  }

  async place(staged: StagedFile, productId: string, imageId: string, extension: string): Promise<void> {
    const target = this.originalPath(productId, imageId, extension);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staged.path, target);
  }

  originalPath(productId: string, imageId: string, extension: string): string {
    return path.join(
      this.productDir(productId),
      `${checked('image id', imageId, UUID)}.${checked('extension', extension, EXTENSION)}`,
    );
  }

  async exists(file: string): Promise<boolean> {
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  openOriginal(productId: string, imageId: string, extension: string): Promise<OpenedFile | undefined> {
    return this.openFile(this.originalPath(productId, imageId, extension));
  }

  openThumbnail(productId: string, imageId: string): Promise<OpenedFile | undefined> {
    return this.openFile(this.thumbnailPath(productId, imageId));
  }

  async writeThumbnail(productId: string, imageId: string, data: Buffer): Promise<boolean> {
    const target = this.thumbnailPath(productId, imageId);
    // Staged in the product's own directory: when the product (and its directory) is gone, so is the need.
    const staged = path.join(path.dirname(target), `.${imageId}.${randomUUID()}.tmp`);
    try {
      await writeFile(staged, data, { flag: 'wx', mode: 0o644 });
      await rename(staged, target);
      return true;
    } catch (error) {
      await rm(staged, { force: true });
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async removeThumbnail(productId: string, imageId: string): Promise<void> {
    await rm(this.thumbnailPath(productId, imageId), { force: true });
  }

  async removeImage(productId: string, imageId: string, extension: string): Promise<void> {
    await Promise.all([
      rm(this.originalPath(productId, imageId, extension), { force: true }),
      this.removeThumbnail(productId, imageId),
    ]);
  }

  private productDir(productId: string): string {
    return path.join(this.root, checked('product id', productId, UUID));
  }

  private thumbnailPath(productId: string, imageId: string): string {
    return path.join(this.productDir(productId), `${checked('image id', imageId, UUID)}.thumb.webp`);
  }

  /** Opened before the response starts, so a missing file is a 404 rather than a broken body. */
  private async openFile(file: string): Promise<OpenedFile | undefined> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}
