import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, type GetMessage } from 'amqplib';
import { createEnvelope, EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import type { EventEnvelope, ReviewCreated } from '@marketshare/platform/contracts';
import { EventPublisher, RabbitConnection, type EventConsumer } from '@marketshare/platform/rabbit';
import { createTestVhost, httpRequest, waitFor, type TestVhost } from '@marketshare/platform/testing';
import type { RatingStore } from '../../src/domain/ratings/ports.js';
import { Ratings } from '../../src/domain/ratings/ratings.js';
import { createRatingsConsumer, RATINGS_QUEUE } from '../../src/events/ratings-consumer.js';
import { ratingMetrics } from '../../src/events/ratings-metrics.js';
import { PgRatingStore } from '../../src/store/ratings-store.js';
import {
  insertProduct,
  logger,
  metricValue,
  startProductsApp,
  type ProductsTestApp,
} from '../support/stock-harness.js';

const DEAD_QUEUE = `${RATINGS_QUEUE}.dead`;

interface ProductRating {
  rating_total: number;
  rating_count: number;
  rating_average: string | null;
}

describe('ms-products ratings from review.created', function () {
  this.timeout(60_000);
  let service: ProductsTestApp;
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let consumer: EventConsumer;
  let publisher: EventPublisher;

  before(async () => {
    // Other suites on this machine restart the broker now and then; ride that out.
    vhost = await waitFor(() => createTestVhost('ms_products_ratings'), {
      timeoutMs: 45_000,
      intervalMs: 1_000,
      what: 'a RabbitMQ test vhost',
    });
    service = await startProductsApp({ RABBITMQ_URL: vhost.url });
    connection = new RabbitConnection({ url: vhost.url, logger, connectionName: 'ms-products-ratings-test' });
    connection.start();
    const registry = service.metrics.registry;
    consumer = createRatingsConsumer(connection, {
      ratings: new Ratings(new PgRatingStore(service.pool), ratingMetrics(registry), logger),
      logger,
      registry,
      retryDelaysMs: [100],
      stopTimeoutMs: 2_000,
    });
    consumer.start();
    await consumer.waitUntilConsuming(15_000);
    publisher = new EventPublisher(connection, { logger, registry });
    await publisher.waitUntilReady(15_000);
  });
  after(async () => {
    await consumer?.stop().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await service?.stop();
    await vhost?.drop().catch(() => undefined);
  });

  const review = (productId: string, sellerId: string, rating: number): ReviewCreated => ({
    reviewId: randomUUID(),
    productId,
    sellerId,
    consumerId: 'consumer-1',
    rating,
  });
  const publish = async (event: EventEnvelope<unknown>) => {
    await publisher.waitUntilReady(30_000);
    await publisher.publish(event);
  };
  const productRating = async (productId: string) => {
    const { rows } = await service.pool.query<ProductRating>(
      'SELECT rating_total, rating_count, rating_average FROM products WHERE id = $1',
      [productId],
    );
    return rows[0];
  };
  const sellerRating = async (sellerId: string) =>
    (await httpRequest(`${service.url}/api/products/sellers/${sellerId}/rating`)).body;
  const handled = (outcome: string) =>
    metricValue(service.metrics, 'product_reviews_applied_total', { outcome });
  /** Waits until the consumer handled `count` more events than `before` (any outcome). */
  const waitForHandled = async (before: number, count: number) => {
    const total = async () =>
      (await handled('applied')) + (await handled('duplicate')) + (await handled('product_missing'));
    await waitFor(async () => (await total()) >= before + count, {
      timeoutMs: 15_000,
      what: `${count} events handled`,
    });
  };
  const handledSoFar = async () =>
    (await handled('applied')) + (await handled('duplicate')) + (await handled('product_missing'));

  it("keeps each product's and each seller's aggregate equal to their reviews", async () => {
    const sellerA = `seller-${randomUUID().slice(0, 8)}`;
    const sellerB = `seller-${randomUUID().slice(0, 8)}`;
    const first = await insertProduct(service.pool, { stock: 1, sellerId: sellerA });
    const second = await insertProduct(service.pool, { stock: 1, sellerId: sellerA });
    const third = await insertProduct(service.pool, { stock: 1, sellerId: sellerB });
    const reviews = [
      review(first, sellerA, 5),
      review(first, sellerA, 4),
      review(second, sellerA, 3),
      review(third, sellerB, 1),
      review(third, sellerB, 2),
      review(third, sellerB, 2),
    ];
    const before = await handledSoFar();
    await Promise.all(reviews.map((data) => publish(newEnvelope(EventTypes.ReviewCreated, data))));
    await waitForHandled(before, reviews.length);

    assert.deepEqual(await productRating(first), {
      rating_total: 9,
      rating_count: 2,
      rating_average: '4.50',
    });
    assert.deepEqual(await productRating(second), {
      rating_total: 3,
      rating_count: 1,
      rating_average: '3.00',
    });
    assert.deepEqual(await productRating(third), {
      rating_total: 5,
      rating_count: 3,
      rating_average: '1.67',
    });
    assert.deepEqual(await sellerRating(sellerA), { sellerId: sellerA, average: 4, count: 3 });
    assert.deepEqual(await sellerRating(sellerB), { sellerId: sellerB, average: 1.67, count: 3 });
  });

  it('counts many reviews of one product arriving together, each once', async () => {
    const seller = `seller-${randomUUID().slice(0, 8)}`;
    const productId = await insertProduct(service.pool, { stock: 1, sellerId: seller });
    const ratings = Array.from({ length: 60 }, (_, index) => (index % 5) + 1);
    const before = await handledSoFar();
    await Promise.all(
      ratings.map((rating) =>
        publish(newEnvelope(EventTypes.ReviewCreated, review(productId, seller, rating))),
      ),
    );
    await waitForHandled(before, ratings.length);
    assert.deepEqual(await productRating(productId), {
      rating_total: 180,
      rating_count: 60,
      rating_average: '3.00',
    });
    assert.deepEqual(await sellerRating(seller), { sellerId: seller, average: 3, count: 60 });
  });

  it('counts the same event once however often it is delivered', async () => {
    const seller = `seller-${randomUUID().slice(0, 8)}`;
    const productId = await insertProduct(service.pool, { stock: 1, sellerId: seller });
    const event = newEnvelope(EventTypes.ReviewCreated, review(productId, seller, 4));
    const duplicatesBefore = await handled('duplicate');
    const before = await handledSoFar();
    await Promise.all([publish(event), publish(event)]);
    await publish(event);
    await waitForHandled(before, 3);
    assert.equal((await handled('duplicate')) - duplicatesBefore, 2);
    assert.deepEqual(await productRating(productId), {
      rating_total: 4,
      rating_count: 1,
      rating_average: '4.00',
    });
    assert.deepEqual(await sellerRating(seller), { sellerId: seller, average: 4, count: 1 });
    const { rows } = await service.pool.query('SELECT 1 FROM processed_events WHERE event_id = $1', [
      event.id,
    ]);
    assert.equal(rows.length, 1);
  });

  it('dead-letters an event whose payload breaks the contract, counting nothing', async () => {
    const seller = `seller-${randomUUID().slice(0, 8)}`;
    const productId = await insertProduct(service.pool, { stock: 1, sellerId: seller });
    const invalid = [
      createEnvelope(EventTypes.ReviewCreated, { ...review(productId, seller, 4), rating: 6 }),
      createEnvelope(EventTypes.ReviewCreated, { ...review(productId, seller, 4), sellerId: undefined }),
      createEnvelope(EventTypes.ReviewCreated, { ...review(productId, seller, 4), productId: 'not-a-uuid' }),
    ];
    for (const event of invalid) await publish(event);
    const letters = await waitFor(
      async () => {
        const found = (await deadLetters()).filter((letter) =>
          invalid.some((event) => event.id === letter.messageId),
        );
        return found.length === invalid.length ? found : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the invalid events in the dead-letter queue' },
    );
    for (const letter of letters) assert.match(String(letter.error), /malformed message/);
    assert.deepEqual(await productRating(productId), {
      rating_total: 0,
      rating_count: 0,
      rating_average: null,
    });
    assert.deepEqual(await sellerRating(seller), { sellerId: seller, average: null, count: 0 });
  });

  it('counts the seller of a product deleted since the order', async () => {
    const seller = `seller-${randomUUID().slice(0, 8)}`;
    const before = await handled('product_missing');
    await publish(newEnvelope(EventTypes.ReviewCreated, review(randomUUID(), seller, 2)));
    await waitFor(async () => (await handled('product_missing')) > before, { what: 'the review handled' });
    assert.deepEqual(await sellerRating(seller), { sellerId: seller, average: 2, count: 1 });
  });

  it('rolls the event mark back with the aggregates, so a retry after a failure counts once', async () => {
    const seller = `seller-${randomUUID().slice(0, 8)}`;
    const productId = await insertProduct(service.pool, { stock: 1, sellerId: seller });
    const store = new PgRatingStore(service.pool);
    let failNext = true;
    // Fails inside the transaction after every write of the first attempt, like a crash before commit.
    const flaky: RatingStore = {
      sellerRating: (sellerId) => store.sellerRating(sellerId),
      transaction: (work) =>
        store.transaction(async (tx) => {
          const result = await work(tx);
          if (failNext) {
            failNext = false;
            throw new Error('connection lost before commit');
          }
          return result;
        }),
    };
    const ratings = new Ratings(flaky, ratingMetrics(service.metrics.registry), logger);
    const eventId = randomUUID();
    const data = review(productId, seller, 5);
    await assert.rejects(ratings.recordReview(eventId, data), /connection lost/);
    assert.deepEqual(await productRating(productId), {
      rating_total: 0,
      rating_count: 0,
      rating_average: null,
    });
    assert.equal(await ratings.recordReview(eventId, data), 'applied');
    assert.equal(await ratings.recordReview(eventId, data), 'duplicate');
    assert.deepEqual(await productRating(productId), {
      rating_total: 5,
      rating_count: 1,
      rating_average: '5.00',
    });
    assert.deepEqual(await sellerRating(seller), { sellerId: seller, average: 5, count: 1 });
  });

  it('answers the seller rating publicly, and 400 for a malformed seller id', async () => {
    const unknown = await httpRequest(`${service.url}/api/products/sellers/nobody-yet/rating`);
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, { sellerId: 'nobody-yet', average: null, count: 0 });
    assert.equal(unknown.headers.get('cache-control'), 'public, max-age=60');
    const malformed = await httpRequest(
      `${service.url}/api/products/sellers/${encodeURIComponent("x' OR 1=1")}/rating`,
    );
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.deepEqual(
      (malformed.body as { errors: { field: string }[] }).errors.map((error) => error.field),
      ['params.sellerId'],
    );
  });

  async function deadLetters(): Promise<{ messageId: string | undefined; error: unknown }[]> {
    const amqp = await connect(vhost.url);
    try {
      const channel = await amqp.createChannel();
      const letters: { messageId: string | undefined; error: unknown }[] = [];
      // Read without consuming: everything is requeued when the channel closes.
      for (;;) {
        const message: GetMessage | false = await channel.get(DEAD_QUEUE);
        if (message === false) break;
        const messageId: unknown = message.properties.messageId;
        letters.push({
          messageId: typeof messageId === 'string' ? messageId : undefined,
          error: message.properties.headers?.['x-error'],
        });
      }
      await channel.close();
      return letters;
    } finally {
      await amqp.close();
    }
  }
});
