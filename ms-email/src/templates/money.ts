/** An amount in integer minor units of `currency` (ISO 4217), e.g. 1250 EUR. */
export interface Money {
  minor: number;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase();
  let formatter = formatters.get(code);
  if (!formatter) {
    // Throws RangeError for a code that is not a currency; callers treat that as a bad event.
    formatter = new Intl.NumberFormat('en-IE', { style: 'currency', currency: code });
    formatters.set(code, formatter);
  }
  return formatter;
}

/** Whether `currency` is a code Intl can format (a forged or broken event may carry anything). */
export function isFormattableCurrency(currency: string): boolean {
  try {
    formatterFor(currency);
    return true;
  } catch {
    return false;
  }
}

/**
 * `€12.50`, `¥1,250`, `BHD 1.250`: the minor units are scaled by the currency's own number of
 * digits, so yen and dinar amounts are not off by a factor of 100.
 */
export function formatMoney({ minor, currency }: Money): string {
  const formatter = formatterFor(currency);
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(minor / 10 ** digits);
}
