/** The catalogue's vocabulary, free of HTTP and SQL. Money is integer minor units. */

export type ProductStatus = 'published' | 'unpublished';
export type AttributeValue = string | number | boolean;
/** A flat object: sellers describe what they sell (colour, weight_kg, organic, ...). */
export type Attributes = Record<string, AttributeValue>;

/** Set when an admin unpublished the product; the seller cannot publish it again until lifted. */
export interface Moderation {
  reason: string;
  moderatedBy: string;
  moderatedAt: Date;
}

/** What a seller writes. */
export interface ProductFields {
  name: string;
  description: string;
  category: string;
  priceMinor: number;
  /** ISO 4217, three upper-case letters. */
  currency: string;
  stock: number;
  attributes: Attributes;
}

export interface Product extends ProductFields {
  id: string;
  sellerId: string;
  status: ProductStatus;
  moderation: Moderation | null;
  /** Kept from `review.created` events; average is null until the first review. */
  rating: { average: number | null; count: number };
  createdAt: Date;
  updatedAt: Date;
  /** Bumped by every write that changes the product (stock reservations included): the ETag. */
  version: number;
}

export type ProductChanges = Partial<ProductFields>;

/** Bounds every input is checked against (the API schemas and the database agree with these). */
export const PRODUCT_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 10_000,
  categoryMaxLength: 100,
  priceMinorMax: 999_999_999_999,
  stockMax: 1_000_000_000,
  attributesMaxCount: 50,
  attributeNameMaxLength: 64,
  attributeStringMaxLength: 500,
  moderationReasonMaxLength: 500,
} as const;

/** Who is asking; undefined for anonymous visitors. */
export interface Viewer {
  subject: string;
  role: 'seller' | 'consumer' | 'admin' | undefined;
}

export function isOwner(product: Product, viewer: Viewer | undefined): boolean {
  return viewer?.role === 'seller' && viewer.subject === product.sellerId;
}

export function isAdmin(viewer: Viewer | undefined): boolean {
  return viewer?.role === 'admin';
}

/** Published products are public; the others only exist for their seller and for admins. */
export function canSee(product: Product, viewer: Viewer | undefined): boolean {
  return product.status === 'published' || isOwner(product, viewer) || isAdmin(viewer);
}

/** Names and categories are shown in lists and facets: no stray outer or doubled whitespace. */
export function tidyLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
