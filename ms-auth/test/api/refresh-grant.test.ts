import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import type { FakeAccount } from '../support/fake-users-service.js';
import { field, postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth refresh_token grant', () => {
  let auth: AuthHarness;
  let tokenUrl: string;
  let consumer: FakeAccount;

  before(async () => {
    auth = await startAuthHarness('ms_auth_refresh');
    tokenUrl = `${auth.url}/api/auth/token`;
    consumer = auth.users.addAccount({
      id: 'acc-consumer-1',
      username: 'connie',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
  });

  after(async () => {
    await auth.stop();
  });

  async function signIn(url = tokenUrl): Promise<string> {
    const response = await postForm(
      url,
      { grant_type: 'password', username: 'connie', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200, response.text);
    return stringField(response, 'refresh_token');
  }

  const refresh = (refreshToken: string, extra: Record<string, string> = {}, url = tokenUrl) =>
    postForm(url, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, { as: 'frontend' });

  it('rotates: a refresh returns a new pair, and the role is read fresh from ms-users', async () => {
    const first = await signIn();
    consumer.role = 'seller';
    try {
      const response = await refresh(first);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const second = stringField(response, 'refresh_token');
      assert.notEqual(second, first);
      const introspected = await postForm(
        `${auth.url}/api/auth/introspect`,
        { token: stringField(response, 'access_token') },
        { as: 'frontend' },
      );
      assert.equal(field(introspected, 'role'), 'seller');
      assert.equal(field(introspected, 'sub'), 'acc-consumer-1');
      const lookup = auth.users.calls.find((call) => call.path === '/internal/users/acc-consumer-1');
      assert.ok(lookup?.principal.scopes.has('users:read'));
    } finally {
      consumer.role = 'consumer';
    }
  });

  // The reuse grace (on by default) has its own file; these hold with it switched off.
  it('without a grace, treats a used token as reuse: refused, and its successor is revoked too', async () => {
    const strict = await auth.startVariant({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    const url = `${strict.url}/api/auth/token`;
    const first = await signIn(url);
    const rotated = await refresh(first, {}, url);
    const second = stringField(rotated, 'refresh_token');

    const replay = await refresh(first, {}, url);
    assert.equal(replay.status, 400);
    assert.equal(field(replay, 'error'), 'invalid_grant');

    const successor = await refresh(second, {}, url);
    assert.equal(successor.status, 400);
    assert.equal(field(successor, 'error'), 'invalid_grant');

    const metrics = await fetch(`${strict.url}/metrics`).then((response) => response.text());
    assert.match(metrics, /auth_refresh_reuse_detected_total\{service="ms-auth"\} [1-9]/);
  });

  it('without a grace, lets exactly one of two concurrent refreshes of one token succeed', async () => {
    const strict = await auth.startVariant({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    const url = `${strict.url}/api/auth/token`;
    const token = await signIn(url);
    const results = await Promise.all([refresh(token, {}, url), refresh(token, {}, url)]);
    const statuses = results.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 400]);
    assert.equal(
      field(results.find((response) => response.status === 400) ?? results[0], 'error'),
      'invalid_grant',
    );
  });

  it('refuses a widened scope and an unknown token', async () => {
    const token = await signIn();
    const widened = await refresh(token, { scope: 'users:read' });
    assert.equal(widened.status, 400);
    assert.equal(field(widened, 'error'), 'invalid_scope');
    // The refusal did not spend the token.
    assert.equal((await refresh(token)).status, 200);

    const unknown = await refresh('A'.repeat(43));
    assert.equal(unknown.status, 400);
    assert.equal(field(unknown, 'error'), 'invalid_grant');
  });

  it('stops refreshing once the account is deactivated', async () => {
    const token = await signIn();
    consumer.status = 'deactivated';
    try {
      const response = await refresh(token);
      assert.equal(response.status, 400);
      assert.equal(field(response, 'error'), 'invalid_grant');
    } finally {
      consumer.status = 'active';
    }
    // The family was revoked, not just refused once.
    assert.equal((await refresh(token)).status, 400);
  });

  it('keeps the token when ms-users is down, so the session survives the outage', async () => {
    const token = await signIn();
    const down = await auth.startVariant({ USERS_URL: 'http://127.0.0.1:9' });
    const response = await refresh(token, {}, `${down.url}/api/auth/token`);
    assert.equal(response.status, 503);
    assert.equal(field(response, 'error'), 'temporarily_unavailable');
    assert.equal((await refresh(token)).status, 200);
  });

  it('ends a family at its absolute lifetime however often it is rotated', async () => {
    const shortLived = await auth.startVariant({
      REFRESH_TOKEN_TTL_SECONDS: '2',
      REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: '3',
    });
    const url = `${shortLived.url}/api/auth/token`;
    let token = await signIn(url);
    await sleep(1_600);
    const early = await refresh(token, {}, url);
    assert.equal(early.status, 200, early.text);
    token = stringField(early, 'refresh_token');
    // Under the idle limit since the last rotation, past the family's absolute one.
    await sleep(1_600);
    const late = await refresh(token, {}, url);
    assert.equal(late.status, 400);
    assert.equal(field(late, 'error'), 'invalid_grant');
  });

  it('expires a token left unused past the idle lifetime', async () => {
    const shortIdle = await auth.startVariant({ REFRESH_TOKEN_TTL_SECONDS: '1' });
    const url = `${shortIdle.url}/api/auth/token`;
    const token = await signIn(url);
    await sleep(1_200);
    const response = await refresh(token, {}, url);
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_grant');
  });
});
