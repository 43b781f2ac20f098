import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { httpRequest, waitFor, type JsonResponse } from '@marketshare/platform/testing';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import {
  bearer,
  countRows,
  field,
  newRegistration,
  problemFields,
  register,
  startUsersService,
  type Registration,
  type UsersTestService,
} from '../support.js';

describe('ms-users events through the outbox, and password reset', function () {
  this.timeout(60_000);
  let service: UsersTestService;
  let account: Registration & { id: string };

  before(async () => {
    service = await startUsersService({ withEvents: true });
    const registration = newRegistration('seller');
    const response = await register(service, registration);
    assert.equal(response.status, 201, response.text);
    account = { ...registration, id: String(field(response.body, 'id')) };
  });
  after(async () => {
    await service?.stop();
  });

  function eventsOf(type: string, accountId: string): EventEnvelope[] {
    return service.received.filter(
      (event) => event.type === type && field(event.data, 'accountId') === accountId,
    );
  }

  function requestReset(email: string): Promise<JsonResponse> {
    return httpRequest(`${service.url}/api/users/password-reset`, { json: { email } });
  }

  function confirm(body: unknown): Promise<JsonResponse> {
    return httpRequest(`${service.url}/api/users/password-reset/confirm`, { json: body });
  }

  /** The token of the newest reset mail sent for the account. */
  async function nextResetToken(previous: number): Promise<string> {
    const event = await waitFor(() => eventsOf('account.password_reset_requested', account.id)[previous], {
      what: 'account.password_reset_requested',
    });
    const resetUrl = new URL(String(field(event.data, 'resetUrl')));
    assert.equal(`${resetUrl.origin}${resetUrl.pathname}`, 'http://shop.test:8080/reset-password');
    return String(resetUrl.searchParams.get('token'));
  }

  async function canLogIn(password: string): Promise<boolean> {
    const response = await httpRequest(`${service.url}/internal/users/verify-credentials`, {
      headers: bearer(service.issuer.serviceToken('ms-auth', 'users:verify_credentials')),
      json: { username: account.username, password },
    });
    return field(response.body, 'valid') === true;
  }

  it('publishes account.created through the relay with the registration’s payload', async () => {
    const event = await waitFor(() => eventsOf('account.created', account.id)[0], {
      what: 'account.created',
    });
    assert.deepEqual(event.data, {
      accountId: account.id,
      email: account.email.toLowerCase(),
      username: account.username,
      companyName: account.companyName,
      role: 'seller',
    });
    await waitFor(async () => (await countRows(service.pool, 'outbox', 'published_at IS NULL')) === 0, {
      what: 'outbox drained',
    });
  });

  it('enqueues nothing for a failed (duplicate) registration', async () => {
    const before = await countRows(service.pool, 'outbox');
    const duplicate = await register(service, { ...newRegistration('consumer'), email: account.email });
    assert.equal(duplicate.status, 409);
    assert.equal(await countRows(service.pool, 'outbox'), before);
  });

  it('answers 202 for unknown emails without enqueuing anything', async () => {
    const before = await countRows(service.pool, 'outbox');
    const response = await requestReset('nobody-here@example.com');
    assert.equal(response.status, 202);
    assert.equal(await countRows(service.pool, 'outbox'), before);
  });

  it('400 naming the field for bad reset input, changing nothing', async () => {
    const before = await countRows(service.pool, 'outbox');
    assert.deepEqual(problemFields(await requestReset('not an email')), ['email']);
    assert.deepEqual(
      problemFields(await httpRequest(`${service.url}/api/users/password-reset`, { json: {} })),
      ['email'],
    );
    const extra = await httpRequest(`${service.url}/api/users/password-reset`, {
      json: { email: account.email, redirect: 'http://evil.example' },
    });
    assert.deepEqual(problemFields(extra), ['redirect']);
    const malformed = await httpRequest(`${service.url}/api/users/password-reset`, {
      headers: { 'content-type': 'application/json' },
      body: '{"email"',
    });
    assert.equal(field(malformed.body, 'code'), 'malformed_body');
    const tooLarge = await requestReset(`${'a'.repeat(5000)}@example.com`);
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(problemFields(await confirm({ token: 'abc' })), ['newPassword']);
    assert.deepEqual(problemFields(await confirm({ token: 5, newPassword: 'long enough words' })), ['token']);
    assert.equal(await countRows(service.pool, 'outbox'), before);
  });

  it('emails a one-time token (stored hashed) that sets a new password once, and lifts the throttle', async () => {
    const response = await requestReset(account.email.toUpperCase());
    assert.equal(response.status, 202);
    const token = await nextResetToken(0);
    const [event] = eventsOf('account.password_reset_requested', account.id);
    assert.equal(field(event?.data, 'email'), account.email.toLowerCase());
    assert.equal(field(event?.data, 'username'), account.username);
    assert.equal(field(event?.data, 'companyName'), account.companyName);
    const expiresInMs = Date.parse(String(field(event?.data, 'expiresAt'))) - Date.now();
    assert.ok(expiresInMs > 59 * 60_000 && expiresInMs <= 60 * 60_000, `expires in ${expiresInMs} ms`);
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 random bits');
    const sha256 = createHash('sha256').update(token).digest('hex');
    assert.equal(
      await countRows(service.pool, 'password_reset_tokens', 'token_hash = ?', [token]),
      0,
      'not stored raw',
    );
    assert.equal(await countRows(service.pool, 'password_reset_tokens', 'token_hash = ?', [sha256]), 1);

    // A weak new password is refused without spending the token.
    const weak = await confirm({ token, newPassword: 'password' });
    assert.equal(field(weak.body, 'code'), 'password_too_common');

    await service.pool.query(
      'INSERT INTO login_throttle (throttle_key, failure_count, first_failure_at, locked_until, lock_level, updated_at) VALUES (?, 9, NOW(3), NOW(3) + INTERVAL 1 HOUR, 3, NOW(3))',
      [account.username.toLowerCase()],
    );
    const confirmed = await confirm({ token, newPassword: 'reset to something new' });
    assert.equal(confirmed.status, 204, confirmed.text);
    assert.equal(await canLogIn('reset to something new'), true, 'the throttle was cleared');

    const reused = await confirm({ token, newPassword: 'and once more again' });
    assert.equal(reused.status, 400);
    assert.equal(field(reused.body, 'code'), 'invalid_reset_token');
  });

  it('invalidates an older token when a new one is requested, and refuses expired tokens', async () => {
    const sent = eventsOf('account.password_reset_requested', account.id).length;
    assert.equal((await requestReset(account.email)).status, 202);
    const older = await nextResetToken(sent);
    assert.equal((await requestReset(account.email)).status, 202);
    const newer = await nextResetToken(sent + 1);
    const voided = await confirm({ token: older, newPassword: 'the older link fails' });
    assert.equal(field(voided.body, 'code'), 'invalid_reset_token');

    service.advanceClock(60 * 60_000 + 1_000);
    const expired = await confirm({ token: newer, newPassword: 'the newer link expired' });
    assert.equal(expired.status, 400);
    assert.equal(field(expired.body, 'code'), 'invalid_reset_token');
    assert.equal(await canLogIn('reset to something new'), true, 'the password did not change');
  });

  it('sends no reset for a deactivated account', async () => {
    // By an admin: the account's own tokens were revoked by the password reset above, whose
    // instant is on this file's advanced clock.
    const admin = service.issuer.userToken('00000000-0000-4000-8000-0000000000ad', 'admin');
    const deactivated = await httpRequest(`${service.url}/api/users/${account.id}/deactivate`, {
      headers: bearer(admin),
      json: { reason: 'closing the test account' },
    });
    assert.equal(deactivated.status, 200, deactivated.text);
    const before = await countRows(service.pool, 'outbox');
    assert.equal((await requestReset(account.email)).status, 202);
    assert.equal(await countRows(service.pool, 'outbox'), before);
  });

  it('stays ready on MySQL alone: events wait in the outbox while the broker is away', async () => {
    const response = await httpRequest(`${service.url}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(field(response.body, 'checks'), { mysql: 'ok' });
  });
});
