import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidTokenError, JwksVerifier } from '../src/auth/jwks-verifier.js';
import { TestTokenIssuer } from '../src/testing/token-issuer.js';

/** A key-set endpoint whose every answer a test decides. */
async function keySetServer(
  answer: (response: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((_, response) => answer(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a listening TCP server has an AddressInfo
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server };
}

describe('platform JWKS verifier when the key set misbehaves', () => {
  const issuer = new TestTokenIssuer();
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  const answers: [string, (response: ServerResponse) => void][] = [
    ['not JSON', (response) => response.end('<html>oops</html>')],
    [
      'cut off mid-body',
      (response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"keys":[');
        setTimeout(() => response.socket?.destroy(), 20);
      },
    ],
    [
      'a key that does not parse',
      (response) =>
        response.end(
          JSON.stringify({
            keys: [{ kid: issuer.kid, alg: 'ES256', kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }],
          }),
        ),
    ],
    [
      'a 503 with a body',
      (response) => {
        response.writeHead(503);
        response.end('down');
      },
    ],
  ];
  for (const [what, answer] of answers) {
    it(`refuses the token as invalid (401), not as a server error, when the key set is ${what}`, async () => {
      const { url, server } = await keySetServer(answer);
      servers.push(server);
      const verifier = new JwksVerifier({
        jwksUrl: url,
        issuer: issuer.issuer,
        audience: issuer.audience,
        fetchTimeoutMs: 1_000,
      });
      await assert.rejects(verifier.verify(issuer.userToken('someone', 'consumer')), InvalidTokenError);
    });
  }
});
