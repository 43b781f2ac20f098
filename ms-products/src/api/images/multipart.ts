import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy, { type Busboy } from 'busboy';
import { HttpProblem, checkSchema, validationFailed } from '@marketshare/platform';
import { ImageFormFields } from './schemas.js';

export interface ImageFormOptions<T> {
  /** The one file field. */
  fileField: string;
  maxFileBytes: number;
  /** Consumes the file's bytes (it may fail the stream to refuse them early). */
  receive: (file: Readable) => Promise<T>;
  /** Undoes `receive` when the rest of the form is refused. */
  discard: (received: T) => Promise<unknown>;
}

export interface ImageForm<T> {
  received: T;
  fields: ImageFormFields;
}

/** Boundaries, part headers and the alt text, on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const MAX_FIELD_BYTES = 4 * 1024;

const formProblem = (code: string, detail: string, field?: string) =>
  new HttpProblem(400, code, detail, field === undefined ? {} : { errors: [{ field, message: detail }] });

const tooLarge = (maxFileBytes: number) =>
  new HttpProblem(413, 'image_too_large', `The image exceeds ${maxFileBytes} bytes.`, {
    errors: [{ field: 'image', message: `exceeds ${maxFileBytes} bytes` }],
  });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A field's bytes (carried as latin1 text) as UTF-8, or undefined when they are not UTF-8. */
function strictUtf8(latin1: string): string | undefined {
  try {
    return utf8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return undefined;
  }
}

/**
 * Reads a multipart/form-data upload of exactly one file plus the fields of ImageFormFields,
 * streaming the file to `receive` without buffering it. The first problem settles the result at
 * once: the rest of the request is then read and dropped (so the client, still sending, gets
 * the answer rather than a reset connection) up to a bound past which the connection is cut.
 */
export function readImageForm<T>(
  request: IncomingMessage,
  options: ImageFormOptions<T>,
): Promise<ImageForm<T>> {
  const hardLimit = options.maxFileBytes + FORM_OVERHEAD_BYTES;
  if (!/^multipart\/form-data\s*;/i.test(request.headers['content-type'] ?? '')) {
    return Promise.reject(
      new HttpProblem(
        415,
        'unsupported_media_type',
        'Send the image as multipart/form-data (field "image").',
      ),
    );
  }
  // Unread bodies are drained by Node itself once the answer is sent.
  if (Number(request.headers['content-length'] ?? 0) > hardLimit) {
    return Promise.reject(tooLarge(options.maxFileBytes));
  }
  let parser: Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      // Fields arrive as raw bytes (latin1 maps each byte to one code unit) and are decoded
      // strictly below: busboy's own UTF-8 decoding would turn invalid bytes into U+FFFD.
      defCharset: 'latin1',
      limits: {
        files: 1,
        fields: 5,
        parts: 6,
        fieldSize: MAX_FIELD_BYTES,
        fieldNameSize: 100,
        headerPairs: 20,
      },
    });
  } catch {
    return Promise.reject(formProblem('malformed_body', 'The multipart/form-data body has no boundary.'));
  }

  return new Promise<ImageForm<T>>((resolve, reject) => {
    let receiving: Promise<T> | undefined;
    let file: Readable | undefined;
    let settled = false;
    let bytesRead = 0;
    const fields: Record<string, string> = {};

    const refuse = (problem: unknown) => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      request.resume();
      // A receiver still reading the file stops (and removes what it wrote); one that finished
      // has its result discarded. Either way, nothing is left by the time the answer goes out.
      file?.destroy(new Error('upload refused'));
      const cleanedUp = receiving ? receiving.then(options.discard, () => undefined) : Promise.resolve();
      cleanedUp.catch(() => undefined).finally(() => reject(problem));
    };

    request.on('data', (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (bytesRead > hardLimit * 2) request.destroy();
      else if (bytesRead > hardLimit) refuse(tooLarge(options.maxFileBytes));
    });
    const aborted = () => refuse(formProblem('request_aborted', 'The request was aborted.'));
    request.on('error', aborted);
    request.on('close', () => {
      if (!request.complete) aborted();
    });

    // The parser may still emit parts of a chunk it was given before a refusal: they are ignored.
    parser.on('file', (name, stream) => {
      // A form cut off mid-file fails this stream ("Unexpected end of form") as well as the
      // parser, possibly before `receive` has piped it anywhere: the parser's 'error' below and
      // receive's own pipeline report it, and an unlistened 'error' would end the process.
      stream.on('error', () => undefined);
      if (settled) {
        stream.resume();
        return;
      }
      if (name !== options.fileField) {
        stream.resume();
        refuse(formProblem('validation_failed', 'is not an allowed field', name));
        return;
      }
      file = stream;
      receiving = options.receive(stream);
      receiving.catch(refuse);
    });
    parser.on('field', (name, raw, info) => {
      if (settled) return;
      const value = strictUtf8(raw);
      if (Object.hasOwn(fields, name)) refuse(formProblem('duplicate_parameter', 'is repeated', name));
      else if (info.valueTruncated) refuse(validationFailed([{ field: name, message: 'is too long' }]));
      else if (value === undefined)
        refuse(validationFailed([{ field: name, message: 'is not valid UTF-8' }]));
      else fields[name] = value;
    });
    parser.on('filesLimit', () =>
      refuse(formProblem('too_many_files', 'Send exactly one file.', options.fileField)),
    );
    parser.on('fieldsLimit', () => refuse(formProblem('too_many_fields', 'The form has too many fields.')));
    parser.on('partsLimit', () => refuse(formProblem('too_many_fields', 'The form has too many parts.')));
    parser.on('error', () =>
      refuse(formProblem('malformed_body', 'The multipart/form-data body is malformed.')),
    );
    parser.on('close', () => {
      if (settled) return;
      if (!receiving) {
        refuse(validationFailed([{ field: options.fileField, message: 'is required' }]));
        return;
      }
      const checked = checkSchema(ImageFormFields, fields, { fieldPrefix: '' });
      if (!checked.ok) {
        refuse(validationFailed(checked.problems));
        return;
      }
      receiving.then(
        (received) => {
          if (settled) return;
          settled = true;
          resolve({ received, fields: checked.value });
        },
        // Already refused through receiving.catch above.
        () => undefined,
      );
    });
    request.pipe(parser);
  });
}
