/**
 * Hostile clients against the running ms-products: image uploads (multipart/form-data, 5 MiB
 * per image) cut at several offsets or truncated, product bodies up to 128 KiB, and the
 * search's numeric filters. No product, image row or file (staged uploads included) may appear.
 */
import type { HostileWorld } from './support/hostile-world.js';
import type { NumericParam } from './support/numeric.js';
import {
  CLOSING_BOUNDARY,
  FILE_PART_HEADER,
  INVALID_UTF8,
  INVALID_UTF8_PERCENT,
  INVALID_UTF8_RAW,
  JSON_TYPE,
  MULTIPART_TYPE,
  depthWithin,
  imageForm,
  jsonBytes,
  jsonFiller,
  nestedArrays,
  oversized,
  slowHeaderRows,
  truncatedForm,
} from './support/payloads.js';
import type { RequestSpec } from '@marketshare/platform/testing';
import { hostileTable } from './support/row-runner.js';
import {
  answer,
  at,
  burst,
  cut,
  cutResponse,
  refusedAsTooLarge,
  type Offset,
  type Row,
} from './support/rows.js';

const PRODUCT_LIMIT = 128 * 1024;
const IMAGE_HARD_LIMIT = 5 * 1024 * 1024 + 64 * 1024;
const PRICE_MAX = 999_999_999_999;

const asSeller = (w: HostileWorld) => ({ authorization: `Bearer ${w.seller.token}` });

/** An upload to the seller's product; the form as given (whole by default). */
const upload =
  (form: (w: HostileWorld) => Buffer = (w) => imageForm(w.png), extra: Partial<RequestSpec> = {}) =>
  (w: HostileWorld): RequestSpec => ({
    method: 'POST',
    target: `/api/products/${w.productId}/images`,
    headers: { ...asSeller(w), ...MULTIPART_TYPE },
    body: form(w),
    ...extra,
  });
/** The two images: many TCP segments, or a whole form in one (parsed in one go). */
const IMAGES = { large: (w: HostileWorld) => w.png, small: (w: HostileWorld) => w.smallPng };
type Size = keyof typeof IMAGES;
const whole = (size: Size) => upload((w) => imageForm(IMAGES[size](w)));
/** A form that ends early while its Content-Length says so: the HTTP body is complete. */
const truncated = (size: Size, offset: Offset) => upload((w) => truncatedForm(IMAGES[size](w), offset));

/** Where in the form a client stops: `name` → offset. */
const FORM_CUTS: Record<string, Offset> = {
  "inside the file part's headers": at.inside(FILE_PART_HEADER),
  'mid-file': at.body(0.6),
  'just before the closing boundary': at.before(CLOSING_BOUNDARY),
  'inside the closing boundary': at.allBut(4),
};
const formRows = (size: Size): Row[] =>
  Object.entries(FORM_CUTS).flatMap(([where, offset]) => [
    { name: `upload (${size} image): the client leaves ${where}`, request: whole(size), act: cut(offset) },
    {
      name: `upload (${size} image): the form stops ${where} → 400, then the same socket`,
      request: truncated(size, offset),
      act: answer(400),
    },
  ]);
/** A form whose file is the PNG followed by more zeros than the service takes. */
const bigImage = (w: HostileWorld) => imageForm(Buffer.concat([w.png, Buffer.alloc(IMAGE_HARD_LIMIT)]));

const createProduct =
  (body: () => Buffer | string) =>
  (w: HostileWorld): RequestSpec => ({
    method: 'POST',
    target: '/api/products',
    headers: { ...asSeller(w), ...JSON_TYPE },
    body: body(),
  });
const product = (fields: Record<string, unknown> = {}) => ({
  name: 'Hostile hex bolt',
  category: 'Industrial supplies',
  priceMinor: 125,
  currency: 'EUR',
  stock: 3,
  ...fields,
});
const tooBigProduct = (kind: 'chunked' | 'fixedLength') => (w: HostileWorld) =>
  oversized(
    { method: 'POST', target: '/api/products', headers: { ...asSeller(w), ...JSON_TYPE } },
    PRODUCT_LIMIT,
    jsonFiller,
  )[kind]();
const DEPTH = depthWithin(PRODUCT_LIMIT);

/** JSON numbers no store can take: past the float range (JSON.parse makes them ±Infinity) or 2^53. */
const BODY_NUMBERS: { field: string; number: string; body: Record<string, unknown> }[] = [
  { field: 'priceMinor', number: '1e309', body: product({ priceMinor: '@@N@@' }) },
  { field: 'stock', number: '99999999999999999999', body: product({ stock: '@@N@@' }) },
  { field: 'attributes.torque', number: '1e309', body: product({ attributes: { torque: '@@N@@' } }) },
  { field: 'attributes.torque', number: '-1e309', body: product({ attributes: { torque: '@@N@@' } }) },
];
const bodyNumberRows: Row[] = BODY_NUMBERS.map(({ field, number, body }) => ({
  name: `${field}: ${number} in a product body → 400 naming ${field}`,
  request: createProduct(() => jsonBytes(body, { N: number })),
  act: answer(400, field),
}));
const get = (target: string) => () => ({ method: 'GET', target });

const rows: Row[] = [
  // Image uploads the client abandons (fewer bytes sent than declared), or whose form is cut
  // short inside a complete HTTP body (the service must answer, and keep the connection).
  { name: 'upload: the client leaves mid-headers', request: whole('large'), act: cut(at.halfHeaders) },
  { name: 'upload: the client leaves after the headers', request: whole('large'), act: cut(at.headersEnd) },
  ...formRows('large'),
  ...formRows('small'),
  ...Object.entries(FORM_CUTS).map(([where, offset]) => ({
    name: `upload (small image): 20 forms, each stopping ${where}, back to back on one socket → 400 each`,
    request: truncated('small', offset),
    act: burst(20, 400),
  })),
  {
    name: 'upload: the client leaves mid-file',
    viaGateway: true,
    request: whole('large'),
    act: cut(at.body(0.6)),
  },
  {
    name: 'upload (small image): the form stops mid-file → 400, then the same socket',
    viaGateway: true,
    request: truncated('small', at.body(0.6)),
    act: answer(400),
  },
  {
    name: 'upload: invalid UTF-8 bytes in the alt text → 400',
    request: upload((w) =>
      imageForm(w.png, Buffer.concat([Buffer.from('A '), INVALID_UTF8, Buffer.from(' flange')])),
    ),
    act: answer(400),
  },
  {
    name: 'upload: a fixed-length form over the image limit → 413, then the same socket',
    request: upload(bigImage),
    act: refusedAsTooLarge(),
  },
  {
    name: 'upload: a chunked form over the image limit → 413, then the same socket',
    request: upload(bigImage, { chunkBytes: 64 * 1024 }),
    act: refusedAsTooLarge(),
  },
  // Product bodies.
  {
    name: 'chunked body over 128 KiB on POST /api/products → 413, then the same socket',
    request: tooBigProduct('chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 128 KiB on POST /api/products → 413, then the same socket',
    request: tooBigProduct('fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'new product: the client leaves mid-body (Content-Length larger than sent)',
    request: createProduct(() => JSON.stringify(product())),
    act: cut(at.body(0.5)),
  },
  {
    name: `${DEPTH} nested JSON arrays as a product body → 400`,
    request: createProduct(() => nestedArrays(DEPTH)),
    act: answer(400),
  },
  {
    name: `${DEPTH} nested JSON arrays as an attribute value → 400`,
    request: createProduct(() =>
      jsonBytes(product({ attributes: { thread: '@@NEST@@' } }), { NEST: nestedArrays(DEPTH) }),
    ),
    act: answer(400),
  },
  ...bodyNumberRows,
  {
    name: 'invalid UTF-8 bytes in a product name → 400',
    request: createProduct(() => jsonBytes(product({ name: 'Hex @@BAD@@ bolt' }), { BAD: INVALID_UTF8 })),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 bytes in an attribute name → 400',
    request: createProduct(() =>
      jsonBytes(product({ attributes: { '@@BAD@@': 'M8' } }), { BAD: INVALID_UTF8 }),
    ),
    act: answer(400),
  },
  // Query strings and paths.
  {
    name: 'invalid UTF-8 (percent-encoded) in the search words → 400 naming query.q',
    request: get(`/api/products?q=${INVALID_UTF8_PERCENT}`),
    act: answer(400, 'query.q'),
  },
  {
    name: 'invalid UTF-8 (raw bytes) in the search words → 4xx',
    request: get(`/api/products?q=${INVALID_UTF8_RAW}`),
    act: answer('4xx'),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in a product id → 400 naming params.id',
    request: get(`/api/products/${INVALID_UTF8_PERCENT}`),
    act: answer(400, 'params.id'),
  },
  {
    name: 'GET /api/products?maxPrice=Infinity → 400 naming query.maxPrice',
    viaGateway: true,
    request: get('/api/products?maxPrice=Infinity'),
    act: answer(400, 'query.maxPrice'),
  },
  // Leaving mid-response, and slow headers.
  {
    name: 'the client leaves mid-response (the OpenAPI document)',
    request: get('/api/products/openapi.json'),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (a page of 100 products)',
    request: get('/api/products?limit=100'),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (a page of products)',
    viaGateway: true,
    request: get('/api/products?limit=100'),
    act: cutResponse(16),
  },
  ...slowHeaderRows((w) => ({ method: 'GET', target: `/api/products/${w.productId}` }), { status: 200 }),
];

type Bounds = Pick<NumericParam, 'type' | 'minimum' | 'maximum'>;
const price: Bounds = { type: 'integer', minimum: 0, maximum: PRICE_MAX };
const limit: Bounds & Pick<NumericParam, 'name'> = {
  name: 'limit',
  type: 'integer',
  minimum: 1,
  maximum: 100,
};
const numeric: NumericParam[] = [
  { path: '/api/products', name: 'minPrice', ...price },
  { path: '/api/products', name: 'maxPrice', ...price },
  { path: '/api/products', name: 'minRating', type: 'number', minimum: 0, maximum: 5 },
  { path: '/api/products', ...limit },
  { path: '/api/products/mine', ...limit, as: 'seller' },
];

hostileTable('ms-products', { stores: ['products', 'images'], apiName: 'products', numeric }, rows);
