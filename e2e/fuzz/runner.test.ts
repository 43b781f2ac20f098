/**
 * The runner's detectors work (without a stack): against a small local server with a planted
 * bug, a run fails and reports its seed and the one request that fails alone; a server that
 * stores what it refuses fails the snapshot oracle.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationsOf } from './openapi-model.js';
import { requestArbitrary } from './request-generator.js';
import { runPhase, type Transport } from './runner.js';

const DOCUMENT = {
  paths: {
    '/api/things': {
      post: {
        operationId: 'createThing',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string', maxLength: 20 } },
              },
            },
          },
        },
        security: [],
      },
    },
  },
};

/** Answers every request with a problem of the status `statusFor` picks from its body. */
function serverWith(statusFor: (body: string) => number): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
    request.on('end', () => {
      const status = statusFor(body);
      response.writeHead(status, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ status, code: status >= 500 ? 'internal_error' : 'validation_failed' }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const transportTo = (server: Server): Transport => {
  const { port } = server.address() as AddressInfo; // listening on a TCP port
  return { portOf: () => port, authorizationOf: () => undefined };
};

const phase = (server: Server, extra: { snapshot?: () => Promise<unknown> } = {}) =>
  runPhase({
    name: 'detector',
    requests: requestArbitrary(operationsOf('ms-things', '/api/things/openapi.json', DOCUMENT), {
      hints: { knownIds: [] },
      validShare: 0,
    }),
    budget: 300,
    seed: 42,
    batchSize: 10,
    concurrency: 2,
    transport: transportTo(server),
    ...extra,
  });

describe('the fuzz runner', function () {
  this.timeout(60_000);

  it('fails on a planted 500 and reports the seed and the request that fails alone', async () => {
    // The planted bug: a body with a __proto__ key crashes the handler.
    const server = await serverWith((body) => (body.includes('__proto__') ? 500 : 400));
    try {
      const report = await phase(server);
      assert.match(report.failure ?? '', /seed 42/);
      assert.match(report.failure ?? '', /fails on its own:\na 500 \(server error\)\n.*prototype-keys/);
    } finally {
      server.close();
    }
  });

  it('fails when a refused request changed what the snapshot sees', async () => {
    let stored = 0;
    // The planted bug: an operator object is stored although the request is refused.
    const server = await serverWith((body) => {
      if (body.includes('$where')) stored += 1;
      return 400;
    });
    try {
      const report = await phase(server, { snapshot: async () => stored });
      assert.match(report.failure ?? '', /refused requests changed stored data/);
      assert.ok(report.comparedBatches > 0);
    } finally {
      server.close();
    }
  });
});
