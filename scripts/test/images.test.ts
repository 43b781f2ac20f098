// The Dockerfiles and the image list, checked statically (no container engine here).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../cluster/compose-file.js';
import { dockerfileProblems } from '../cluster/dockerfile-checks.js';
import { IMAGES } from '../cluster/images.js';
import { DEPLOYABLES } from '../cluster/service-config.js';

const read = (relative: string): string => readFileSync(path.join(REPO_ROOT, relative), 'utf8');
const serviceDockerfile = read('ms-auth/Dockerfile');

function expectProblem(text: string, pattern: RegExp): void {
  const problems = dockerfileProblems('broken', text);
  assert.ok(
    problems.some((problem) => pattern.test(problem)),
    `expected a problem matching ${pattern}, got: ${JSON.stringify(problems)}`,
  );
}

describe('images', () => {
  it('lists one image per deployable, each with its Dockerfile, under one naming', () => {
    assert.deepEqual(
      IMAGES.map((image) => image.name),
      [...DEPLOYABLES],
    );
    for (const image of IMAGES) {
      assert.ok(existsSync(path.join(REPO_ROOT, image.dockerfile)), `${image.dockerfile} missing`);
      assert.match(image.tag, /^marketshare\/[a-z-]+:\d+\.\d+\.\d+$/);
    }
  });

  it('every Dockerfile passes the checks', () => {
    for (const image of IMAGES)
      assert.deepEqual(dockerfileProblems(image.dockerfile, read(image.dockerfile)), []);
  });

  it('the five service Dockerfiles differ only in the service name and port', () => {
    const normalise = (text: string, name: string): string =>
      text
        // Every Dockerfile copies every workspace's manifest (npm ci needs them all).
        .replace(/^COPY [\w-]+\/package\.json [\w-]+\/\n/gm, '')
        .replaceAll(name, 'SERVICE')
        .replace(/\b400\d\b/g, 'PORT')
        .replace(/# Uploaded images[^\n]*\nRUN mkdir -p \/data\/images[^\n]*\n/, '');
    const reference = normalise(serviceDockerfile, 'ms-auth');
    for (const name of DEPLOYABLES.filter((deployable) => deployable.startsWith('ms-'))) {
      assert.equal(normalise(read(`${name}/Dockerfile`), name), reference, `${name}/Dockerfile drifted`);
    }
  });

  it('a Dockerfile without USER fails', () => {
    expectProblem(serviceDockerfile.replace(/^USER node\n/m, ''), /no USER/);
    expectProblem(serviceDockerfile.replace(/^USER node$/m, 'USER root'), /runs as root/);
  });

  it('a Dockerfile without HEALTHCHECK fails', () => {
    expectProblem(serviceDockerfile.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /no HEALTHCHECK/);
  });

  it('an unpinned base image fails', () => {
    expectProblem(
      serviceDockerfile.replaceAll('node:20.20.2-bookworm-slim', 'node:20-bookworm-slim'),
      /not pinned/,
    );
    expectProblem(
      serviceDockerfile.replace('node:20.20.2-bookworm-slim', 'node:latest'),
      /node:latest is not pinned/,
    );
  });

  it('installing without npm ci fails', () => {
    expectProblem(serviceDockerfile.replace('RUN npm ci ', 'RUN npm install '), /npm ci/);
  });

  it('dev tools in the final stage fail', () => {
    expectProblem(`${serviceDockerfile}\nRUN npm install typescript\n`, /installs or runs build tooling/);
    const frontend = read('frontend/Dockerfile');
    expectProblem(
      frontend.replace('COPY --from=deps /app /app', 'COPY --from=build /app /app'),
      /copies dev dependencies/,
    );
  });

  it('a secret baked into the image fails', () => {
    expectProblem(
      serviceDockerfile.replace('ENV NODE_ENV=production', 'ENV SESSION_SECRET=abc NODE_ENV=production'),
      /SESSION_SECRET/,
    );
  });

  it('a command without the telemetry preload fails', () => {
    expectProblem(
      serviceDockerfile.replace('"--import", "@marketshare/platform/telemetry-register", ', ''),
      /preload/,
    );
  });

  it('scripts/images.sh says clearly when there is no container engine', () => {
    const result = spawnSync('bash', ['scripts/images.sh'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, IMAGE_BUILDER: 'no-such-container-engine' },
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /no usable container engine/);
  });
});
