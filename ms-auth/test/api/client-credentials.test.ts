import assert from 'node:assert/strict';
import { JwksVerifier } from '@marketshare/platform';
import { httpRequest } from '@marketshare/platform/testing';
import { AUDIENCE, ISSUER, SECRETS, startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { basicAuth, field, postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth client authentication and client_credentials', () => {
  let auth: AuthHarness;
  let tokenUrl: string;

  before(async () => {
    auth = await startAuthHarness('ms_auth_clients');
    tokenUrl = `${auth.url}/api/auth/token`;
  });

  after(async () => {
    await auth.stop();
  });

  const withAuthorization = (authorization: string, form: Record<string, string>) =>
    postForm(tokenUrl, form, { headers: { authorization } });

  describe('client authentication', () => {
    function assertInvalidClient(response: Awaited<ReturnType<typeof postForm>>, challenge: boolean) {
      assert.equal(response.status, 401, response.text);
      assert.equal(field(response, 'error'), 'invalid_client');
      assert.equal(response.headers.get('www-authenticate'), challenge ? 'Basic realm="marketshare"' : null);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }

    it('refuses a request without client credentials (401 with a Basic challenge)', async () => {
      assertInvalidClient(await postForm(tokenUrl, { grant_type: 'client_credentials' }), true);
    });

    it('refuses a wrong secret and an unknown client alike', async () => {
      const wrongSecret = await withAuthorization(basicAuth('ms-orders', 'not-the-secret'), {
        grant_type: 'client_credentials',
      });
      const unknownClient = await withAuthorization(basicAuth('ms-nobody', SECRETS['ms-orders']), {
        grant_type: 'client_credentials',
      });
      assertInvalidClient(wrongSecret, true);
      assertInvalidClient(unknownClient, true);
      assert.equal(wrongSecret.text, unknownClient.text);
    });

    it('refuses other Authorization schemes and malformed Basic credentials', async () => {
      assertInvalidClient(
        await withAuthorization('Bearer abc.def.ghi', { grant_type: 'client_credentials' }),
        true,
      );
      assertInvalidClient(await withAuthorization('Basic !!!', { grant_type: 'client_credentials' }), true);
      const noColon = `Basic ${Buffer.from('ms-orders').toString('base64')}`;
      assertInvalidClient(await withAuthorization(noColon, { grant_type: 'client_credentials' }), true);
    });

    it('accepts client_secret_post, and refuses a wrong one without a Basic challenge', async () => {
      const good = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: 'ms-products',
        client_secret: SECRETS['ms-products'],
      });
      assert.equal(good.status, 200, good.text);
      const bad = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: 'ms-products',
        client_secret: 'wrong-secret-wrong-secret',
      });
      assertInvalidClient(bad, false);
      const idOnly = await postForm(tokenUrl, { grant_type: 'client_credentials', client_id: 'ms-products' });
      assertInvalidClient(idOnly, false);
    });

    it('refuses two authentication methods at once', async () => {
      const response = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials', client_id: 'ms-orders', client_secret: SECRETS['ms-orders'] },
        { as: 'ms-orders' },
      );
      assert.equal(response.status, 400);
      assert.equal(field(response, 'error'), 'invalid_request');
    });
  });

  describe('client_credentials grant', () => {
    it('grants all of the client’s scopes by default, in a service token without role or refresh token', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, { as: 'ms-orders' });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(field(response, 'scope'), 'stock:reserve users:read');
      assert.equal(field(response, 'refresh_token'), undefined);
      const verifier = new JwksVerifier({
        jwksUrl: `${auth.url}/.well-known/jwks.json`,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const principal = await verifier.verify(stringField(response, 'access_token'));
      assert.equal(principal.subject, 'ms-orders');
      assert.equal(principal.clientId, 'ms-orders');
      assert.equal(principal.kind, 'service');
      assert.equal(principal.role, undefined);
      assert.deepEqual([...principal.scopes].sort(), ['stock:reserve', 'users:read']);
    });

    it('grants a requested subset', async () => {
      const response = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials', scope: 'users:read' },
        { as: 'ms-orders' },
      );
      assert.equal(response.status, 200);
      assert.equal(field(response, 'scope'), 'users:read');
    });

    it('refuses a scope the client may not have, and a malformed scope', async () => {
      for (const scope of ['stock:reserve', 'users:verify_credentials', 'users:read "quoted"']) {
        const response = await postForm(
          tokenUrl,
          { grant_type: 'client_credentials', scope },
          { as: 'ms-products' },
        );
        assert.equal(response.status, 400, scope);
        assert.equal(field(response, 'error'), 'invalid_scope', scope);
      }
    });

    it('keeps client_credentials from the frontend client', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, { as: 'frontend' });
      assert.equal(response.status, 400);
      assert.equal(field(response, 'error'), 'unauthorized_client');
    });

    it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
      const response = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials', audience: 'something-else', foo: 'bar' },
        { as: 'ms-email' },
      );
      assert.equal(response.status, 200, response.text);
      assert.equal(field(response, 'scope'), 'users:read');
    });

    it('counts issued tokens and refusals by grant type', async () => {
      const metrics = await httpRequest(`${auth.url}/metrics`);
      assert.match(
        metrics.text,
        /auth_tokens_issued_total\{grant_type="client_credentials",service="ms-auth"\} [1-9]/,
      );
      assert.match(
        metrics.text,
        /auth_token_errors_total\{grant_type="client_credentials",error="invalid_scope",service="ms-auth"\} 3/,
      );
      assert.match(
        metrics.text,
        /auth_token_errors_total\{grant_type="client_credentials",error="invalid_client"/,
      );
    });
  });
});
