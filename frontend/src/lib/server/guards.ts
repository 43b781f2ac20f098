/**
 * The role guards, all in one table: the route group a page lives in says who may open it.
 * hooks.server.ts applies it to every request (pages, data requests and form actions alike).
 */
import type { Role } from './session/session.js';

export type Access = { kind: 'allow' } | { kind: 'login' } | { kind: 'home'; area: Role };

const GROUPS: Record<string, Role> = { '(consumer)': 'consumer', '(seller)': 'seller', '(admin)': 'admin' };

/** The role a route id requires, from its first route group; null for public routes. */
export function requiredRole(routeId: string | null): Role | null {
  if (routeId === null) return null;
  for (const segment of routeId.split('/')) {
    const role = GROUPS[segment];
    if (role !== undefined) return role;
  }
  return null;
}

export function decideAccess(routeId: string | null, role: Role | null): Access {
  const required = requiredRole(routeId);
  if (required === null) return { kind: 'allow' };
  if (role === null) return { kind: 'login' };
  return role === required ? { kind: 'allow' } : { kind: 'home', area: required };
}

/** Where each role lands after signing in when nothing else was asked for. */
export function homeOf(role: Role): string {
  return role === 'seller' ? '/seller' : role === 'admin' ? '/admin' : '/account';
}
