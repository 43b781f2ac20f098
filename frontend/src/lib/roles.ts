/** What the browser may know about the signed-in user: never tokens. */
export interface Viewer {
  id: string;
  role: 'consumer' | 'seller' | 'admin';
  name: string;
}

export interface NavLink {
  href: string;
  label: string;
}

/** The header's navigation for each kind of visitor. */
export function navigationFor(viewer: Viewer | null): NavLink[] {
  const everyone: NavLink[] = [{ href: '/', label: 'Home' }];
  if (viewer === null) return everyone;
  if (viewer.role === 'seller') return [...everyone, { href: '/seller', label: 'Seller dashboard' }];
  if (viewer.role === 'admin') return [...everyone, { href: '/admin', label: 'Administration' }];
  return [...everyone, { href: '/account', label: 'My account' }];
}
