/**
 * Where to go after signing in. Only a path on this site: anything that could leave it
 * (`//evil.test`, `/\evil.test`, `https://...`, `javascript:`, control characters) becomes `/`.
 */
export function safeReturnTo(raw: string | null | undefined, fallback = '/'): string {
  if (raw === null || raw === undefined || raw === '' || raw.length > 2048) return fallback;
  // Browsers drop tabs and newlines inside URLs and read "\" as "/": judge what they would see.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(raw, 'http://site.invalid');
  } catch {
    return fallback;
  }
  if (url.origin !== 'http://site.invalid') return fallback;
  // Never back to the sign-in or sign-out pages themselves.
  if (url.pathname === '/login' || url.pathname === '/logout') return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page for a visitor who wanted `path`. */
export function loginUrl(path: string): string {
  const target = safeReturnTo(path, '');
  return target === '' || target === '/' ? '/login' : `/login?returnTo=${encodeURIComponent(target)}`;
}
