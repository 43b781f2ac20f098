import { Type, type TSchema } from '@marketshare/platform';
import { CURSOR_MAX_LENGTH, SORTS } from '../../domain/products/cursor.js';
import { PRODUCT_LIMITS } from '../../domain/products/product.js';
import { IF_MATCH_PATTERN } from './etag.js';

/*
 * Every string is bounded and refuses control characters (PostgreSQL cannot store NUL, and
 * nothing shown in a list should carry the others); multi-line text keeps tab and newlines.
 */
const LINE_CHAR = '[^\\u0000-\\u001f\\u007f]';
const TEXT_CHAR = '[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]';
/** At least one visible character, on one line. */
const NON_BLANK_LINE = `^${LINE_CHAR}*[^\\s\\u0000-\\u001f\\u007f]${LINE_CHAR}*$`;
const TEXT = `^${TEXT_CHAR}*$`;
const NON_BLANK_TEXT = `^${TEXT_CHAR}*[^\\s\\u0000-\\u001f\\u007f]${TEXT_CHAR}*$`;
/** Starts and ends with a letter or digit inside: `colour`, `weight_kg`, `Screen size`, `EAN-13`. */
const ATTRIBUTE_NAME = `^[\\p{L}\\p{N}](?:[\\p{L}\\p{N} _.\\-/]{0,${PRODUCT_LIMITS.attributeNameMaxLength - 2}}[\\p{L}\\p{N}_.\\-/])?$`;

const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);

export const ProductId = Type.String({ format: 'uuid', description: 'Product id (UUID)' });
export const ProductName = Type.String({
  minLength: 1,
  maxLength: PRODUCT_LIMITS.nameMaxLength,
  pattern: NON_BLANK_LINE,
  description: 'Outer whitespace is trimmed and inner runs collapsed',
});
export const Description = Type.String({ maxLength: PRODUCT_LIMITS.descriptionMaxLength, pattern: TEXT });
export const Category = Type.String({
  minLength: 1,
  maxLength: PRODUCT_LIMITS.categoryMaxLength,
  pattern: NON_BLANK_LINE,
  description: 'Free text, matched exactly by the search filter',
});
export const PriceMinor = Type.Integer({
  minimum: 0,
  maximum: PRODUCT_LIMITS.priceMinorMax,
  description: 'Price in minor units of the currency (cents for EUR)',
});
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' });
export const Stock = Type.Integer({ minimum: 0, maximum: PRODUCT_LIMITS.stockMax });
export const Attributes = Type.Record(
  Type.String({ pattern: ATTRIBUTE_NAME }),
  Type.Union([
    Type.String({ maxLength: PRODUCT_LIMITS.attributeStringMaxLength, pattern: TEXT }),
    Type.Number(),
    Type.Boolean(),
  ]),
  {
    maxProperties: PRODUCT_LIMITS.attributesMaxCount,
    additionalProperties: false,
    description: `A flat object of at most ${PRODUCT_LIMITS.attributesMaxCount} string, number or boolean values`,
  },
);
export const ProductStatus = Type.Union([Type.Literal('published'), Type.Literal('unpublished')]);
const SellerId = Type.String({ minLength: 1, maxLength: 128, pattern: `^${LINE_CHAR}+$` });
const Cursor = Type.String({
  minLength: 1,
  maxLength: CURSOR_MAX_LENGTH,
  description: 'nextCursor of the previous page, with the same query',
});
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
const Instant = Type.String({ format: 'date-time' });

export const CreateProductBody = Type.Object(
  {
    name: ProductName,
    description: Type.Optional(Description),
    category: Category,
    priceMinor: PriceMinor,
    currency: Currency,
    stock: Stock,
    attributes: Type.Optional(Attributes),
    status: Type.Optional(Type.Union([ProductStatus], { description: 'published (default) or unpublished' })),
  },
  { additionalProperties: false },
);

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(ProductName),
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    priceMinor: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
    stock: Type.Optional(Stock),
    attributes: Type.Optional(Type.Union([Attributes], { description: 'Replaces all attributes' })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields sent change; publish and unpublish have their own endpoints',
  },
);

/** Headers of a product write: optional If-Match (the platform validates them like the query). */
export const ProductWriteHeaders = Type.Object(
  {
    'if-match': Type.Optional(
      Type.String({
        maxLength: 1024,
        pattern: IF_MATCH_PATTERN,
        description:
          'The ETag of the product as you read it (from GET, or the answer to an earlier write). ' +
          'The change is made only if the product is still at that version; otherwise 412 ' +
          'precondition_failed and nothing changes. Optional: without it the fields sent overwrite ' +
          'whatever is stored, stock included (units reserved meanwhile are then lost); send it, ' +
          'or use POST /api/products/{id}/stock-adjustments, to change stock safely.',
      }),
    ),
  },
  { additionalProperties: true },
);

export const StockAdjustmentBody = Type.Object(
  {
    delta: Type.Integer({
      minimum: -PRODUCT_LIMITS.stockMax,
      maximum: PRODUCT_LIMITS.stockMax,
      description: `Units to add (positive) or take away (negative); the stock must stay within 0–${PRODUCT_LIMITS.stockMax}`,
    }),
  },
  { additionalProperties: false },
);

export const ModerationBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: PRODUCT_LIMITS.moderationReasonMaxLength,
      pattern: NON_BLANK_TEXT,
      description: 'Shown to the seller',
    }),
  },
  { additionalProperties: false },
);

export const ProductIdParams = Type.Object({ id: ProductId }, { additionalProperties: false });

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 500,
        pattern: `^${LINE_CHAR}*$`,
        description: 'Words to find; "quoted phrases", or, and -word as in web search engines',
      }),
    ),
    category: Type.Optional(Category),
    minPrice: Type.Optional(PriceMinor),
    maxPrice: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
    sellerId: Type.Optional(SellerId),
    inStock: Type.Optional(Type.Boolean()),
    minRating: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
    sort: Type.Optional(
      Type.Union(
        SORTS.map((sort) => Type.Literal(sort)),
        {
          description:
            'relevance (the default with q; without q it means newest), price_asc, price_desc, newest (the default without q), rating',
        },
      ),
    ),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);

export const OwnProductsQuery = Type.Object(
  { status: Type.Optional(ProductStatus), cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);

const ModerationView = Type.Object({
  reason: Type.String(),
  moderatedAt: Instant,
  moderatedBy: Type.Optional(Type.String({ description: 'Admins only' })),
});

export const ProductView = Type.Object({
  id: ProductId,
  sellerId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  category: Type.String(),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  stock: Type.Integer(),
  inStock: Type.Boolean(),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  status: ProductStatus,
  rating: Type.Object({ average: Nullable(Type.Number()), count: Type.Integer() }),
  createdAt: Instant,
  updatedAt: Instant,
  moderation: Type.Optional(
    Type.Union([ModerationView, Type.Null()], {
      description: "Only for the product's seller and admins; null when not moderated",
    }),
  ),
});

export const SearchResultView = Type.Object({
  items: Type.Array(ProductView),
  nextCursor: Nullable(Type.String()),
  facets: Type.Object({
    categories: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() }), {
      description: 'Matches per category under every filter but category, most first (at most 50)',
    }),
  }),
});

export const ProductPageView = Type.Object({
  items: Type.Array(ProductView),
  nextCursor: Nullable(Type.String()),
});
