import { performance } from 'node:perf_hooks';
import {
  ReservationError,
  reservationConflict,
  reservationInState,
  reservationNotFound,
  StockUnavailableError,
} from './errors.js';
import type {
  ReservationAnswer,
  ReservationMetrics,
  ReservationOutcome,
  ReservationRequest,
  ReservationStatus,
  ReservationStore,
  ReservedItem,
} from './ports.js';
import { decideReservation, requestFingerprint } from './rules.js';

/** A reservation that holds (or held, once confirmed) stock, as ms-orders sees it. */
export interface ReservationView {
  orderId: string;
  status: ReservationStatus;
  items: ReservedItem[];
}

export interface ReservationPolicy {
  /** How long a reservation ms-orders has not committed holds its stock before the sweep releases it. */
  holdSeconds: number;
}

/**
 * Stock reservations for orders (ms-orders is the only caller): reserve every item of an
 * order or none, commit it just before the order is stored, release it when the order fails
 * or is cancelled, confirm it on delivery. Until committed a reservation is a hold that the
 * sweep releases once it runs out (ms-orders died mid-checkout and never came back); after
 * that, only ms-orders ends it. Every operation is idempotent by order id, so ms-orders may
 * retry any of them blindly.
 */
export class StockReservations {
  constructor(
    private readonly store: ReservationStore,
    private readonly metrics: ReservationMetrics,
    private readonly policy: ReservationPolicy,
  ) {}

  /**
   * Reserves all items or none, in one transaction. The first answer (reserved or refused) is
   * stored with the order id; a retry with the same items gets it again, with the order's
   * current status, and reserves nothing more. Throws StockUnavailableError for a refusal,
   * and a conflict for an order id reused with other items or whose reservation was released.
   */
  async reserve(request: ReservationRequest): Promise<ReservationView> {
    const startedAt = performance.now();
    let outcome: ReservationOutcome = 'error';
    try {
      const { answer, status, expired, replayed } = await this.reserveOnce(request);
      outcome = replayed ? 'duplicate' : answer.status;
      if (answer.status === 'rejected') throw new StockUnavailableError(answer);
      if (status === 'released')
        throw reservationInState(request.orderId, { status, expired }, 'reserved again');
      return { orderId: answer.orderId, status, items: answer.items };
    } catch (error) {
      if (outcome === 'error' && error instanceof ReservationError) outcome = 'conflict';
      throw error;
    } finally {
      this.metrics.outcome(outcome);
      this.metrics.reserveDuration(outcome, (performance.now() - startedAt) / 1000);
    }
  }

  /**
   * Puts the stock of a reservation back, once. Releasing again answers the same; releasing a
   * refused reservation is a no-op (nothing was taken); a confirmed one (delivered) is a conflict.
   */
  async release(orderId: string): Promise<ReservationView> {
    const { view, changed } = await this.store.transaction(async (tx) => {
      const stored = await tx.lock(orderId);
      if (!stored) throw reservationNotFound(orderId);
      switch (stored.status) {
        case 'rejected':
          return { view: { orderId, status: stored.status, items: [] }, changed: false };
        case 'confirmed':
          throw reservationInState(orderId, stored, 'released');
        case 'released':
          return { view: { orderId, status: stored.status, items: await tx.items(orderId) }, changed: false };
        case 'reserved': {
          const items = await tx.items(orderId);
          await tx.putBackStock(items);
          await tx.setStatus(orderId, 'released');
          return { view: { orderId, status: 'released' as const, items }, changed: true };
        }
      }
    });
    if (changed) this.metrics.outcome('released');
    return view;
  }

  /** Marks a reservation as delivered: the stock stays taken for good. Confirming again answers the same. */
  async confirm(orderId: string): Promise<ReservationView> {
    const { view, changed } = await this.store.transaction(async (tx) => {
      const stored = await tx.lock(orderId);
      if (!stored) throw reservationNotFound(orderId);
      if (stored.status === 'rejected' || stored.status === 'released') {
        throw reservationInState(orderId, stored, 'confirmed');
      }
      const items = await tx.items(orderId);
      if (stored.status === 'reserved') await tx.setStatus(orderId, 'confirmed');
      return {
        view: { orderId, status: 'confirmed' as const, items },
        changed: stored.status === 'reserved',
      };
    });
    if (changed) this.metrics.outcome('confirmed');
    return view;
  }

  /**
   * Ends the hold: ms-orders is about to store the order, which now owns the stock until it
   * confirms or releases it. Committing again (or a confirmed reservation) answers the same;
   * one the sweep released first is `reservation_expired`, nothing to commit.
   */
  async commit(orderId: string): Promise<ReservationView> {
    const { view, changed } = await this.store.transaction(async (tx) => {
      const stored = await tx.lock(orderId);
      if (!stored) throw reservationNotFound(orderId);
      if (stored.status === 'rejected' || stored.status === 'released') {
        throw reservationInState(orderId, stored, 'committed');
      }
      if (stored.heldUntil !== null) await tx.commit(orderId);
      return {
        view: { orderId, status: stored.status, items: await tx.items(orderId) },
        changed: stored.heldUntil !== null,
      };
    });
    if (changed) this.metrics.outcome('committed');
    return view;
  }

  /**
   * One pass of the sweep: releases up to `limit` holds that ran out, each in its own
   * transaction, and marks them expired. A hold committed, released or taken by another
   * instance meanwhile is skipped. Answers how many were released.
   */
  async expireOverdueHolds(limit: number): Promise<number> {
    let expired = 0;
    for (const orderId of await this.store.overdueHolds(limit)) {
      const released = await this.store.transaction(async (tx) => {
        const stored = await tx.lockOverdueHold(orderId);
        if (!stored) return false;
        await tx.putBackStock(await tx.items(orderId));
        await tx.setStatus(orderId, 'released');
        await tx.markExpired(orderId);
        return true;
      });
      if (released) {
        expired += 1;
        this.metrics.outcome('expired');
      }
    }
    return expired;
  }

  private reserveOnce(request: ReservationRequest): Promise<{
    answer: ReservationAnswer;
    status: ReservationStatus;
    expired: boolean;
    replayed: boolean;
  }> {
    const requestHash = requestFingerprint(request.items);
    return this.store.transaction(async (tx) => {
      if (!(await tx.claim(request.orderId, requestHash))) {
        const stored = await tx.lock(request.orderId);
        if (!stored) throw new Error(`reservation ${request.orderId} disappeared after its claim`);
        if (stored.requestHash !== requestHash) throw reservationConflict(request.orderId);
        return { answer: stored.answer, status: stored.status, expired: stored.expired, replayed: true };
      }
      const products = await tx.lockProducts(request.items.map((item) => item.productId));
      const answer = decideReservation(request, products);
      if (answer.status === 'reserved') {
        await tx.takeStock(request.items);
        await tx.saveItems(request.orderId, answer.items);
      }
      await tx.setStatus(request.orderId, answer.status, answer);
      if (answer.status === 'reserved') await tx.hold(request.orderId, this.policy.holdSeconds);
      return { answer, status: answer.status, expired: false, replayed: false };
    });
  }
}
