/** The platform's commission on an order: 2 % of its total, at most 5.00 in its currency. */
export const PLATFORM_FEE_BASIS_POINTS = 200;
export const PLATFORM_FEE_CAP_MINOR = 500;

/**
 * The fee in minor units, rounded half up on the exact product (integers only: no float drift).
 * Assumes a currency with 2 minor digits, as every price the catalogue holds.
 */
export function platformFeeMinor(totalMinor: number): number {
  const rounded = Math.floor((totalMinor * PLATFORM_FEE_BASIS_POINTS + 5_000) / 10_000);
  return Math.min(rounded, PLATFORM_FEE_CAP_MINOR);
}
