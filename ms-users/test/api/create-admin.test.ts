import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { httpRequest } from '@marketshare/platform/testing';
import {
  bearer,
  countRows,
  field,
  startUsersService,
  uniqueName,
  type UsersTestService,
} from '../support.js';

const run = promisify(execFile);
const SERVICE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('ms-users create-admin command', function () {
  this.timeout(60_000);
  let service: UsersTestService;

  before(async () => {
    service = await startUsersService();
  });
  after(async () => {
    await service?.stop();
  });

  function createAdmin(args: string[], password: string) {
    return run(process.execPath, ['--import', 'tsx', 'src/cli/create-admin.ts', ...args], {
      cwd: SERVICE_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MYSQL_URL: service.config.MYSQL_URL,
        ADMIN_PASSWORD: password,
      },
      timeout: 30_000,
    });
  }

  it('creates an admin that can log in, without announcing it', async () => {
    const username = uniqueName('admin');
    const { stdout } = await createAdmin(
      ['--username', username, '--email', `${username}@example.com`, '--company', 'Marketshare Ops'],
      'operators only passphrase',
    );
    assert.match(stdout, /created admin/);
    const response = await httpRequest(`${service.url}/internal/users/verify-credentials`, {
      headers: bearer(service.issuer.serviceToken('ms-auth', 'users:verify_credentials')),
      json: { username, password: 'operators only passphrase' },
    });
    assert.equal(field(field(response.body, 'account'), 'role'), 'admin');
    assert.equal(await countRows(service.pool, 'outbox'), 0, 'admins get no account.created');
  });

  it('fails with a message and changes nothing for a refused password or missing arguments', async () => {
    const before = await countRows(service.pool, 'accounts');
    await assert.rejects(
      createAdmin(
        ['--username', uniqueName('admin'), '--email', 'ops@example.com', '--company', 'Ops'],
        'password',
      ),
      (error: unknown) => /password_too_common/.test(String(field(error, 'stderr'))),
    );
    await assert.rejects(
      createAdmin(['--username', 'only_a_name'], 'operators only passphrase'),
      (error: unknown) => /usage: create-admin/.test(String(field(error, 'stderr'))),
    );
    assert.equal(await countRows(service.pool, 'accounts'), before);
  });
});
