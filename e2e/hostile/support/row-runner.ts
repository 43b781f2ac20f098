/**
 * Plays a table of hostile rows against one running service, each row one test. After every
 * row, whatever the row's own verdict: the service keeps its pid, /readyz answers 200 and the
 * normal request its normal answer promptly, and the stores hold what they held before. A row
 * that kills the service fails, and the service is started again so the next row stands alone.
 */
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPidAlive } from '../../../scripts/stack/procs.js';
import { hostileWorld, type HostileWorld, type Service } from './hostile-world.js';
import { numericCoverage, numericRows, type NumericParam } from './numeric.js';
import { RawConnection, describeOutcome, exchange, requestBytes } from '@marketshare/platform/testing';
import { normalRequest, wrongAnswer, type Expect, type Row } from './rows.js';
import type { Store } from './stores.js';

/** "Promptly": /readyz, the normal request and the next request on a kept socket. */
export const PROMPT_MS = 2_000;
/** Bound on the answer to the hostile request itself (a whole oversized body included). */
const ANSWER_MS = 5_000;
/** How long a cut client lingers before it leaves, so the server is mid-request. */
const LINGER_MS = 200;
/**
 * After the row, before the checks: time for a crash to happen. A client that left is noticed
 * by the server only after it is gone; an answered one has been seen through to the next request.
 */
const settleMs = (row: Row) => (row.act.kind === 'answer' ? 50 : 250);

interface Played {
  w: HostileWorld;
  service: Service;
  row: Row;
}

const portOf = ({ w, service, row }: Played) => (row.viaGateway ? w.gatewayPort : w.port(service));

/** The next request on the same socket: answered at once (or, when allowed, the socket closed). */
async function sameSocketNext(
  connection: RawConnection,
  played: Played,
  closeAllowed: boolean,
): Promise<void> {
  const normal = normalRequest(played.w, played.service);
  connection.push(requestBytes(normal.spec));
  const outcome = await connection.next(PROMPT_MS);
  if (outcome.kind === 'closed' && closeAllowed) return;
  if (outcome.kind !== 'response') {
    throw new Error(
      `the next request on the same connection: ${describeOutcome(outcome)} (hangs or was cut)`,
    );
  }
  const wrong = normal.wrong(outcome.response);
  if (wrong !== undefined) throw new Error(`the next request on the same connection got ${wrong}`);
}

async function answerAndNext(
  connection: RawConnection,
  played: Played,
  expect: Expect,
  mayClose: boolean,
  times = 1,
) {
  let announcedClose = false;
  for (let answered = 0; answered < times && !announcedClose; answered += 1) {
    const outcome = await connection.next(ANSWER_MS);
    const wrong = wrongAnswer(outcome, expect);
    if (wrong !== undefined)
      throw new Error(times > 1 ? `request ${answered + 1} of ${times}: ${wrong}` : wrong);
    announcedClose =
      outcome.kind === 'response' && /close/i.test(outcome.response.headers['connection'] ?? '');
  }
  await sameSocketNext(connection, played, mayClose || announcedClose);
}

/** Sends the row's bytes and does what the row's client does. */
async function play(played: Played): Promise<void> {
  const { row } = played;
  const bytes = requestBytes(row.request(played.w));
  const connection = await RawConnection.open(portOf(played));
  try {
    const { act } = row;
    switch (act.kind) {
      case 'answer':
        // Not awaited: a server that stops reading must not stall the client's write forever.
        for (let sent = 0; sent < (act.times ?? 1); sent += 1) connection.push(bytes);
        return await answerAndNext(connection, played, act.expect, act.mayClose, act.times);
      case 'cut': {
        const offset = act.at(bytes);
        if (offset <= 0 || offset >= bytes.length)
          throw new Error(`offset ${offset} is not inside the request`);
        await connection.write(bytes.subarray(0, offset));
        const early = await connection.next(LINGER_MS);
        if (early.kind === 'response' && early.response.status >= 500) {
          throw new Error(`a cut request got ${describeOutcome(early)}`);
        }
        return;
      }
      case 'cut-response':
        await connection.write(bytes);
        if (!(await connection.receivedAtLeast(act.afterBytes, PROMPT_MS))) {
          throw new Error(`no ${act.afterBytes} bytes of an answer within ${PROMPT_MS} ms`);
        }
        if (!/^HTTP\/1\.1 200 /.test(connection.pending.toString('latin1'))) {
          throw new Error(`expected a 200 to leave: ${connection.pending.toString('latin1').slice(0, 200)}`);
        }
        return;
      case 'cut-stream':
        await connection.write(bytes);
        if (!(await connection.receivedAtLeast(0, ANSWER_MS, act.marker))) {
          throw new Error(
            `no ${String(act.marker)} in the stream: ${connection.pending.toString('latin1').slice(0, 300)}`,
          );
        }
        return;
      case 'stall': {
        const offset = act.at(bytes);
        await connection.write(bytes.subarray(0, offset));
        await sleep(act.ms / 2);
        // Meanwhile the server answers everyone else at once.
        await checkResponsive(played.w, played.service);
        await sleep(act.ms / 2);
        if (act.then === 'leave') return;
        await connection.write(bytes.subarray(offset));
        return await answerAndNext(connection, played, act.then.finish, false);
      }
    }
  } finally {
    connection.destroy();
  }
}

/**
 * Starts a service that died again, and waits until the gateway routes to it (its health
 * checks mark it down meanwhile), so the next row meets a service in its normal state.
 */
async function restart(w: HostileWorld, service: Service): Promise<void> {
  await w.stack.stopService(service).catch(() => undefined);
  await w.stack.startService(service);
  if (service === 'ms-email') return; // never routed by the gateway
  const normal = normalRequest(w, service);
  for (let waited = 0; waited < 30_000; waited += 250) {
    const outcome = await exchange(w.gatewayPort, normal.spec, PROMPT_MS).catch(() => undefined);
    if (outcome?.kind === 'response' && normal.wrong(outcome.response) === undefined) return;
    await sleep(250);
  }
}

/** /readyz 200 and the normal request's normal answer, each on a fresh connection, promptly. */
async function checkResponsive(w: HostileWorld, service: Service): Promise<void> {
  const port = w.port(service);
  const ready = await exchange(port, { method: 'GET', target: '/readyz' }, PROMPT_MS);
  if (ready.kind !== 'response' || ready.response.status !== 200) {
    throw new Error(`/readyz: ${describeOutcome(ready)}`);
  }
  const normal = normalRequest(w, service);
  const outcome = await exchange(port, normal.spec, PROMPT_MS);
  if (outcome.kind !== 'response') throw new Error(`the normal request: ${describeOutcome(outcome)}`);
  const wrong = normal.wrong(outcome.response);
  if (wrong !== undefined) throw new Error(`the normal request got ${wrong}`);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Same pid, still answering, nothing stored: the problems found, empty when all holds. */
async function checkAfter(
  played: Played,
  pid: number,
  before: Record<string, string>,
  stores: readonly Store[],
) {
  const { w, service } = played;
  await sleep(settleMs(played.row));
  const now = w.pidOf(service);
  if (now !== pid || !isPidAlive(pid)) {
    return {
      died: true,
      problems: [`${service} did not survive: pid ${pid} is gone (record: ${now ?? 'none'})`],
    };
  }
  const problems: string[] = [];
  await checkResponsive(w, service).catch((error: unknown) => problems.push(messageOf(error)));
  // A refused upload's staged file is removed as the request ends: give it a moment. Through
  // the gateway a client's bytes may still be on their way when it left, so the stores must be
  // back to `before` twice in a row, or the next row would find this one's staged file.
  let after = await w.snapshot(stores);
  let steady = 0;
  for (let waited = 0; steady < 2 && waited < 2 * PROMPT_MS; waited += 250) {
    steady = isDeepStrictEqual(after, before) ? steady + 1 : 0;
    if (steady >= 2) break;
    await sleep(250);
    after = await w.snapshot(stores);
  }
  const stored = stores.filter((store) => before[store] !== after[store]);
  for (const store of stored) {
    problems.push(`something was stored in ${store}:\n  before ${before[store]}\n  after  ${after[store]}`);
  }
  if (!isPidAlive(pid)) return { died: true, problems: [...problems, `${service} died after the checks`] };
  return { died: false, stored: stored.length > 0, problems };
}

/** After a row that stored something (a thumbnail job may follow): until the stores are still. */
async function settle(w: HostileWorld, stores: readonly Store[]): Promise<void> {
  let last = await w.snapshot(stores);
  for (let waited = 0; waited < 10_000; waited += 500) {
    await sleep(500);
    const now = await w.snapshot(stores);
    if (isDeepStrictEqual(now, last)) return;
    last = now;
  }
}

export interface TableOptions {
  /** What the rows of this service could write to; checked unchanged after every row. */
  stores: Store[];
  /** The `<name>` of `/api/<name>/openapi.json`, for the numeric parameters' coverage check. */
  apiName: string;
  /** Every numeric query parameter of the service (each gets a row per hostile number). */
  numeric: NumericParam[];
}

/** One describe per service: its rows, then a row per hostile number per numeric parameter. */
export function hostileTable(service: Service, options: TableOptions, rows: Row[]): void {
  describe(`hostile requests to the running ${service}`, function () {
    this.timeout(30_000);
    let w: HostileWorld;
    let unsettled = false;

    before(async function () {
      this.timeout(300_000);
      w = await hostileWorld();
    });

    it(`the numeric table names every numeric query parameter of /api/${options.apiName}/openapi.json`, async () => {
      await numericCoverage(w.port(service), options.apiName, options.numeric);
    });

    for (const row of [...rows, ...numericRows(options.numeric)]) {
      it(`${row.viaGateway ? '[gateway] ' : ''}${row.name}`, async function () {
        const pid = w.pidOf(service);
        if (pid === null || !isPidAlive(pid)) throw new Error(`${service} is not running before the row`);
        if (unsettled) await settle(w, options.stores);
        const before = await w.snapshot(options.stores);
        const played = { w, service, row };
        const problems: string[] = [];
        await play(played).catch((error: unknown) => problems.push(messageOf(error)));
        await row.also?.(w).catch((error: unknown) => problems.push(messageOf(error)));
        const after = await checkAfter(played, pid, before, options.stores);
        problems.push(...after.problems);
        unsettled = after.stored === true;
        if (after.died) {
          this.timeout(120_000);
          await restart(w, service);
        }
        if (problems.length > 0) throw new Error(problems.join('\n'));
      });
    }
  });
}
