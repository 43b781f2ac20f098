/**
 * What a failed fault run leaves for whoever reads the failure: the stack is purged at the
 * end, so its service logs, ms-email's deliveries that were not sent, and the run's recorded
 * answers and windows are copied to .local/fault-runs/<time>/ first.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMysqlPool, type RowDataPacket } from '@marketshare/platform/mysql';
import { REPO_ROOT } from '../../scripts/stack/index.js';
import type { World } from '../support/world.js';
import type { FaultWindow, RecordedResponse } from './model.js';

export async function keepEvidence(
  w: World,
  run: { responses: readonly RecordedResponse[]; windows: readonly FaultWindow[] },
): Promise<string> {
  const dir = path.join(REPO_ROOT, '.local', 'fault-runs', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(w.stack.info.stateDir, 'logs'), path.join(dir, 'logs'), { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
  const emailDb = new URL(w.stack.info.serviceEnv['ms-email']?.['MYSQL_URL'] ?? 'mysql://localhost/email');
  const pool = createMysqlPool(`mysql://root@127.0.0.1:3306${emailDb.pathname}`, { connectionLimit: 1 });
  try {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT event_id, event_type, email_type, recipient, status, attempts, last_error, created_at, updated_at
         FROM email_deliveries WHERE status <> 'sent' ORDER BY created_at`,
    );
    writeFileSync(path.join(dir, 'email-deliveries-not-sent.json'), JSON.stringify(rows, null, 2));
  } finally {
    await pool.end();
  }
  return dir;
}
