import assert from 'node:assert/strict';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import {
  bearer,
  field,
  newRegistration,
  register,
  startUsersService,
  type UsersTestService,
} from '../support.js';

/**
 * Deactivation and password reset revoke the account's unexpired access tokens: ms-users
 * announces auth.subject_revoked through its outbox, and every verifier (its own here) applies
 * it. What a token gets afterwards is what an expired token gets.
 */
describe('ms-users: access tokens revoked by deactivation and password reset', function () {
  this.timeout(60_000);
  let service: UsersTestService;

  before(async () => {
    service = await startUsersService({ withEvents: true });
  });
  after(async () => {
    await service?.stop();
  });

  /** An account and an access token minted for it a moment before whatever the test does. */
  async function signedIn(): Promise<{ id: string; email: string; token: string }> {
    const registration = newRegistration('consumer');
    const response = await register(service, registration);
    assert.equal(response.status, 201, response.text);
    const id = String(field(response.body, 'id'));
    // iat in a second before the revocation's, so the test does not rest on the same-second rule.
    const token = service.issuer.sign(
      { sub: id, role: 'consumer', scope: '', iat: Math.floor(Date.now() / 1000) - 2 },
      { expiresInSeconds: 300 },
    );
    return { id, email: registration.email, token };
  }

  const readOwnAccount = (token: string) =>
    httpRequest(`${service.url}/api/users/me`, { headers: bearer(token) });

  async function expectRefusedSoon(token: string): Promise<void> {
    const started = Date.now();
    const refused = await waitFor(
      async () => {
        const response = await readOwnAccount(token);
        return response.status === 401 ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: 'the revoked token refused' },
    );
    assert.ok(Date.now() - started < 5_000);
    assert.match(String(refused.headers.get('content-type')), /application\/problem\+json/);
    assert.match(String(refused.headers.get('www-authenticate')), /error="invalid_token"/);
  }

  it('refuses a token once its holder deactivated the account', async () => {
    const { token } = await signedIn();
    assert.equal((await readOwnAccount(token)).status, 200);
    const deactivated = await httpRequest(`${service.url}/api/users/me`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    assert.equal(deactivated.status, 204, deactivated.text);
    await expectRefusedSoon(token);
  });

  it('refuses a token once an admin deactivated the account, and leaves other accounts alone', async () => {
    const victim = await signedIn();
    const bystander = await signedIn();
    const admin = service.issuer.userToken('00000000-0000-4000-8000-000000000001', 'admin');
    const response = await httpRequest(`${service.url}/api/users/${victim.id}/deactivate`, {
      headers: bearer(admin),
      json: { reason: 'fraud' },
    });
    assert.equal(response.status, 200, response.text);
    await expectRefusedSoon(victim.token);
    assert.equal((await readOwnAccount(bystander.token)).status, 200);
  });

  it('refuses a token issued before a password reset, and accepts one issued after it', async () => {
    const { id, email, token } = await signedIn();
    const requested = await httpRequest(`${service.url}/api/users/password-reset`, { json: { email } });
    assert.equal(requested.status, 202, requested.text);
    const mail = await waitFor(
      () =>
        service.received.find(
          (event) =>
            event.type === 'account.password_reset_requested' && field(event.data, 'accountId') === id,
        ),
      { what: 'the reset mail event' },
    );
    const resetToken = new URL(String(field(mail.data, 'resetUrl'))).searchParams.get('token');
    const confirmed = await httpRequest(`${service.url}/api/users/password-reset/confirm`, {
      json: { token: resetToken, newPassword: 'a brand new passphrase here' },
    });
    assert.equal(confirmed.status, 204, confirmed.text);
    await expectRefusedSoon(token);
    const later = service.issuer.sign({
      sub: id,
      role: 'consumer',
      scope: '',
      iat: Math.floor(Date.now() / 1000) + 1,
    });
    assert.equal((await readOwnAccount(later)).status, 200);
  });
});
