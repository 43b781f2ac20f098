import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { Principal } from '../../src/auth/principal.js';
import { RevocationFeed } from '../../src/auth/revocation-feed.js';
import { RevocationList } from '../../src/auth/revocation-list.js';
import { EventTypes, newEnvelope } from '../../src/contracts/index.js';
import { EventPublisher, RabbitConnection } from '../../src/rabbit/index.js';
import { waitFor } from '../../src/testing/ports.js';
import { createTestVhost, type TestVhost } from '../../src/testing/rabbit.js';
import { testLogger } from '../rabbit/support/broker.js';

const LIFETIME_SECONDS = 300;

/** One service process: its own connection, list and feed, as main.ts wires them. */
interface Instance {
  connection: RabbitConnection;
  list: RevocationList;
  feed: RevocationFeed;
}

function tokenOf(subject: string, overrides: Partial<Principal> = {}): Principal {
  return {
    subject,
    kind: 'user',
    role: 'consumer',
    scopes: new Set(),
    clientId: 'frontend',
    tokenId: `jti-of-${subject}`,
    issuedAt: Math.floor(Date.now() / 1000) - 30,
    sessionId: `session-of-${subject}`,
    ...overrides,
  };
}

describe('auth: RevocationFeed through RabbitMQ', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let publisherConnection: RabbitConnection;
  let publisher: EventPublisher;
  const instances: Instance[] = [];

  async function startInstance(service: string): Promise<Instance> {
    const connection = new RabbitConnection({ url: vhost.url, logger: testLogger, connectionName: service });
    connection.start();
    const list = new RevocationList({ maxTokenLifetimeSeconds: LIFETIME_SECONDS });
    const feed = new RevocationFeed(connection, {
      list,
      logger: testLogger,
      service,
      maxTokenLifetimeSeconds: LIFETIME_SECONDS,
    });
    feed.start();
    await feed.waitUntilConsuming(10_000);
    const instance = { connection, list, feed };
    instances.push(instance);
    return instance;
  }

  before(async () => {
    vhost = await createTestVhost('revocations');
    publisherConnection = new RabbitConnection({ url: vhost.url, logger: testLogger });
    publisherConnection.start();
    publisher = new EventPublisher(publisherConnection, { logger: testLogger, registry: new Registry() });
    await publisher.waitUntilReady(10_000);
  });

  after(async () => {
    for (const { feed, connection } of instances) {
      await feed.stop();
      await connection.close();
    }
    await publisher.close();
    await publisherConnection.close();
    await vhost.drop();
  });

  it('reaches every instance (not one of them) within a second', async () => {
    const [first, second] = [await startInstance('ms-one'), await startInstance('ms-two')];
    assert.notEqual(first.feed.queue, second.feed.queue);
    const token = tokenOf('account-a');
    assert.equal(first.list.refusal(token), undefined);
    const published = Date.now();
    await publisher.publish(
      newEnvelope(EventTypes.AuthSubjectRevoked, {
        subject: 'account-a',
        revokedBefore: new Date().toISOString(),
        reason: 'deactivated',
      }),
    );
    await waitFor(() => first.list.refusal(token) !== undefined && second.list.refusal(token) !== undefined, {
      timeoutMs: 1_000,
      intervalMs: 20,
      what: 'both instances refusing the token',
    });
    assert.ok(Date.now() - published < 1_000);
  });

  it('applies token and session revocations too, and drops a malformed one without stalling', async () => {
    const [instance] = instances;
    assert.ok(instance);
    // Malformed (a number for jti): dropped, and the revocations behind it still apply.
    await publisher.publish({
      id: randomUUID(),
      type: EventTypes.AuthTokenRevoked,
      occurredAt: new Date().toISOString(),
      data: { jti: 42 },
    });
    await publisher.publish(
      newEnvelope(EventTypes.AuthTokenRevoked, {
        jti: 'jti-of-account-b',
        subject: 'account-b',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );
    await publisher.publish(
      newEnvelope(EventTypes.AuthSessionRevoked, {
        sessionId: 'session-of-account-c',
        subject: 'account-c',
        revokedAt: new Date().toISOString(),
        reason: 'logout',
      }),
    );
    await waitFor(
      () =>
        instance.list.refusal(tokenOf('account-b')) === 'token revoked' &&
        instance.list.refusal(tokenOf('account-c', { tokenId: 'another' })) === 'session revoked',
      { timeoutMs: 2_000, intervalMs: 20, what: 'the token and session revocations applied' },
    );
  });

  it('keeps what was published while its connection was down, and applies it after the reconnect', async () => {
    const instance = await startInstance('ms-three');
    // Dropped under the connection's feet, as a network cut would: it reconnects by itself.
    await instance.connection.current()?.close();
    assert.equal(instance.connection.isConnected(), false);
    await publisher.publish(
      newEnvelope(EventTypes.AuthSubjectRevoked, {
        subject: 'account-d',
        revokedBefore: new Date().toISOString(),
        reason: 'password_reset',
      }),
    );
    await waitFor(() => instance.list.refusal(tokenOf('account-d')) === 'subject revoked', {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'the revocation published while disconnected',
    });
  });
});
