// Building an Intl formatter costs far more than using one (a tenth of the frontend's CPU in
// the site benchmark): one per locale and currency is kept.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function moneyFormat(currency: string, locale: string): { format: Intl.NumberFormat; digits: number } {
  const key = `${locale}\u0000${currency}`;
  let entry = moneyFormats.get(key);
  if (entry === undefined) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    entry = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    moneyFormats.set(key, entry);
  }
  return entry;
}

/** Money arrives in minor units; Intl knows each currency's digits. */
export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
  const { format, digits } = moneyFormat(currency, locale);
  return format.format(minor / 10 ** digits);
}

export function formatDate(iso: string, locale = 'en-GB'): string {
  let format = dateFormats.get(locale);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(iso));
}
