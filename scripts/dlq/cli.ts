/** `npm run dlq -- list|replay|drop`: argument parsing, the broker calls, and what is printed. */
import { parseArgs } from 'node:util';
import { ConfigError } from '@marketshare/platform';
import { DeadLetterAdmin } from '@marketshare/platform/rabbit';
import type { DeadLetter, DeadLetterChange, DeadLetterSelection } from '@marketshare/platform/rabbit';
import { parseDlqConfig } from './config.js';
import { SERVICE_CONSUMER_QUEUES } from './queues.js';

export const USAGE = `usage: npm run dlq -- <command> [queue] [options]

  list [queue]                       every dead-letter queue (or one) with its messages
  replay [queue] (--id ID | --all)   send dead letters back to their consumer, attempt 1 again
  drop [queue] (--id ID | --all)     delete dead letters for good

  queue: a consumer queue (ms-email.notifications) or its dead-letter queue (….dead);
         without it: ${SERVICE_CONSUMER_QUEUES.join(', ')}
  broker: RABBITMQ_URL (and RABBITMQ_VHOST), else the running local stack (STACK_DIR)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Command =
  | { name: 'list'; queues: string[] }
  | { name: 'replay' | 'drop'; queues: string[]; selection: DeadLetterSelection };

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { id: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [name, queue, ...extra] = positionals;
  if (values.help || name === undefined) throw new UsageError('a command is needed');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const queues = queue === undefined ? SERVICE_CONSUMER_QUEUES : [queue];
  if (name === 'list') {
    if (values.id !== undefined || values.all) throw new UsageError('list takes no --id or --all');
    return { name, queues };
  }
  if (name !== 'replay' && name !== 'drop') throw new UsageError(`unknown command ${name}`);
  if ((values.id === undefined) === !values.all)
    throw new UsageError(`${name} needs exactly one of --id ID or --all`);
  const selection: DeadLetterSelection = values.id === undefined ? { all: true } : { eventId: values.id };
  return { name, queues, selection };
}

function describe(letter: DeadLetter): string[] {
  const or = (value: string | number | undefined) => (value === undefined ? '?' : String(value));
  return [
    `  ${or(letter.eventId)}  type ${or(letter.type)}  routing key ${or(letter.routingKey)}  attempts ${or(letter.attempts)}  dead since ${or(letter.deadLetteredAt)}`,
    `    last error: ${or(letter.error)}`,
  ];
}

function changeReport(
  verb: 'replayed' | 'dropped',
  change: DeadLetterChange,
  selection: DeadLetterSelection,
): string[] {
  const { deadLetterQueue, letters, affected } = change;
  if (!change.exists) return [`${deadLetterQueue}: does not exist; nothing ${verb}`];
  if (letters.length === 0) return [`${deadLetterQueue}: empty; nothing ${verb}`];
  if (affected.length === 0) {
    const which = 'eventId' in selection ? `no message with event id ${selection.eventId}` : 'no message';
    return [`${deadLetterQueue}: ${which}; nothing ${verb}`];
  }
  const target = verb === 'replayed' ? ` into ${change.queue}` : '';
  return [
    `${deadLetterQueue}: ${verb} ${affected.length} of ${letters.length}${target}`,
    ...affected.flatMap(describe),
  ];
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface DlqRun {
  /** 0 done (a replay or drop of nothing included), 1 nothing matched --id, 2 bad usage or config */
  exitCode: number;
  lines: string[];
}

/** Runs one command; never exits the process, so the test drives it directly. */
export async function runDlq(argv: string[], env: Record<string, string | undefined>): Promise<DlqRun> {
  let command: Command;
  let config;
  try {
    command = parseCommand(argv);
    config = parseDlqConfig(env);
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, lines: [`dlq: ${error.message}`, '', USAGE] };
    if (error instanceof ConfigError) return { exitCode: 2, lines: [`dlq: ${error.message}`] };
    throw error;
  }
  const lines = [`broker: ${config.source}`];
  let admin: DeadLetterAdmin;
  try {
    admin = await DeadLetterAdmin.open(config.url);
  } catch (error) {
    return { exitCode: 1, lines: [...lines, `dlq: cannot connect to the broker: ${errorMessage(error)}`] };
  }
  try {
    return await perform(admin, command, lines);
  } catch (error) {
    // What was replayed or dropped before the failure stays so; the rest is back in its queue.
    return { exitCode: 1, lines: [...lines, `dlq: ${errorMessage(error)}`] }; // lines: what was done before it
  } finally {
    await admin.close();
  }
}

async function perform(admin: DeadLetterAdmin, command: Command, lines: string[]): Promise<DlqRun> {
  if (command.name === 'list') {
    for (const queue of command.queues) {
      const state = await admin.inspect(queue);
      if (!state.exists) {
        lines.push(`${state.deadLetterQueue}: does not exist (its consumer never ran here)`);
        continue;
      }
      lines.push(
        `${state.deadLetterQueue}: ${state.letters.length} message(s)`,
        ...state.letters.flatMap(describe),
      );
    }
    return { exitCode: 0, lines };
  }
  let matched = 0;
  for (const queue of command.queues) {
    const change =
      command.name === 'replay'
        ? await admin.replay(queue, command.selection)
        : await admin.drop(queue, command.selection);
    matched += change.affected.length;
    lines.push(
      ...changeReport(command.name === 'replay' ? 'replayed' : 'dropped', change, command.selection),
    );
  }
  // Asking for one id that is nowhere is most likely a typo: say so in the exit code.
  const missedId = 'eventId' in command.selection && matched === 0;
  return { exitCode: missedId ? 1 : 0, lines };
}
