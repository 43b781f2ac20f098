import type { Product, Viewer } from '../../domain/products/product.js';
import { isAdmin, isOwner } from '../../domain/products/product.js';

/*
 * Strong entity tags from the product's row version. The seller and admins see more of a
 * product (its moderation) than anyone else, so each of the three views has its own tag:
 * `"<version>"`, `"<version>-seller"`, `"<version>-admin"`. If-Match compares versions, so
 * any of them names the version it was read at.
 */

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e]*)"$/;
const OUR_OPAQUE_TAG = /^([1-9][0-9]{0,17})(?:-seller|-admin)?$/;

/** A list of entity-tags or `*` (RFC 9110 §13.1.1), for the header's schema. */
export const IF_MATCH_PATTERN =
  '^\\s*(\\*|(W/)?"[\\x21\\x23-\\x7e]*"(\\s*,\\s*(W/)?"[\\x21\\x23-\\x7e]*")*)\\s*$';

export function etagOf(product: Product, viewer: Viewer | undefined): string {
  const view = isAdmin(viewer) ? '-admin' : isOwner(product, viewer) ? '-seller' : '';
  return `"${product.version}${view}"`;
}

/**
 * The versions an If-Match header names: undefined for none or `*` (any current version, and
 * the product must exist either way). Weak tags never match (If-Match compares strongly) and
 * tags that are not ours name no version, so a header of only those always fails.
 */
export function versionsOf(ifMatch: string | undefined): number[] | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const part of ifMatch.split(',')) {
    const tag = ENTITY_TAG.exec(part.trim());
    if (!tag || tag[1] !== undefined) continue;
    const ours = OUR_OPAQUE_TAG.exec(tag[2] ?? '');
    if (ours?.[1] !== undefined) versions.push(Number(ours[1]));
  }
  return versions;
}
