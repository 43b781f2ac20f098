import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createLogger } from '@marketshare/platform';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import { EventPublisher, RabbitConnection, type EventConsumer } from '@marketshare/platform/rabbit';
import { createTestVhost, waitFor, type TestVhost } from '@marketshare/platform/testing';
import { SubjectSessions } from '../../src/domain/tokens/subject-sessions.js';
import { createSubjectRevocationsConsumer } from '../../src/events/subject-revocations-consumer.js';
import { RefreshTokensRepository } from '../../src/store/refresh-tokens-repository.js';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth: a subject revocation ends the sign-ins that began before it', function () {
  this.timeout(60_000);
  const logger = createLogger({ service: 'ms-auth-test', level: 'silent' });
  let auth: AuthHarness;
  let vhost: TestVhost;
  let rabbit: RabbitConnection;
  let publisher: EventPublisher;
  let consumer: EventConsumer;

  before(async () => {
    auth = await startAuthHarness('ms_auth_subject_revocations');
    auth.users.addAccount({
      id: 'acc-r',
      username: 'rosa',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
    vhost = await createTestVhost('ms_auth_subject_revocations');
    rabbit = new RabbitConnection({ url: vhost.url, logger });
    rabbit.start();
    publisher = new EventPublisher(rabbit, { logger, registry: new Registry() });
    await publisher.waitUntilReady(10_000);
    consumer = createSubjectRevocationsConsumer(rabbit, {
      sessions: new SubjectSessions(new RefreshTokensRepository(auth.db.pool)),
      logger,
      registry: new Registry(),
    });
    consumer.start();
    await consumer.waitUntilConsuming(10_000);
  });
  after(async () => {
    await consumer?.stop();
    await publisher?.close();
    await rabbit?.close();
    await vhost?.drop();
    await auth?.stop();
  });

  const signIn = async () => {
    const response = await postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'password', username: 'rosa', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200, response.text);
    return stringField(response, 'refresh_token');
  };
  const refresh = (token: string) =>
    postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'refresh_token', refresh_token: token },
      { as: 'frontend' },
    );

  it('refuses a refresh token from before a password reset, and keeps a sign-in from after it', async () => {
    const earlier = await signIn();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const revokedBefore = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = await signIn();
    await publisher.publish(
      newEnvelope(EventTypes.AuthSubjectRevoked, {
        subject: 'acc-r',
        revokedBefore: revokedBefore.toISOString(),
        reason: 'password_reset',
      }),
    );
    // Watched in the table, not by refreshing: a refresh before the event would rotate the token.
    const reasons = async () => {
      const [rows] = await auth.db.pool.query<RowDataPacket[]>(
        "SELECT revoked_reason FROM refresh_token_families WHERE subject = 'acc-r' ORDER BY created_at",
      );
      return rows.map((row) => row['revoked_reason']);
    };
    await waitFor(async () => (await reasons())[0] === 'subject_revoked', {
      timeoutMs: 5_000,
      intervalMs: 50,
      what: 'the earlier sign-in ended',
    });
    assert.deepEqual(await reasons(), ['subject_revoked', null]);
    assert.equal((await refresh(earlier)).status, 400);
    const kept = await refresh(later);
    assert.equal(kept.status, 200, kept.text);
  });
});
