import type { OrderStatus, StatusChange } from '../domain/orders.js';

/** An order's status with its whole history at one version (history only ever grows). */
export interface StatusSnapshot {
  orderId: string;
  version: number;
  status: OrderStatus;
  history: StatusChange[];
}

export type StatusListener = (snapshot: StatusSnapshot) => void;

const listenersByScope = new WeakMap<object, Set<StatusListener>>();

/**
 * In-process word of status changes, per scope (the orders' models: one set per MongoDB
 * connection, so one per process). Every store writing through those models tells the live
 * streams at once; changes made by other processes reach them by polling instead.
 */
export function announceStatusChange(scope: object, snapshot: StatusSnapshot): void {
  for (const listener of listenersByScope.get(scope) ?? []) {
    try {
      listener(snapshot);
    } catch {
      // The change is stored already; a failing listener must not turn the write into an error.
    }
  }
}

export function listenToStatusChanges(scope: object, listener: StatusListener): () => void {
  let listeners = listenersByScope.get(scope);
  if (!listeners) {
    listeners = new Set();
    listenersByScope.set(scope, listeners);
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
