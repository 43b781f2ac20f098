import { request, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedEvent {
  event: string;
  id: string;
  data: unknown;
}

/** A server-sent-events client over node:http, as a browser's EventSource reads the stream. */
export interface EventStreamConnection {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every event so far, in arrival order. */
  events: ReceivedEvent[];
  /** Comment lines (heartbeats) so far. */
  comments: string[];
  /** The next event not yet taken by next(). */
  next(): Promise<ReceivedEvent>;
  /** Settles when the response is over: `end` when the server finished it cleanly. */
  ended: Promise<'end' | 'aborted'>;
  close(): void;
}

const WAIT_MS = 10_000;

function parseBlock(block: string, connection: EventStreamConnection): void {
  const event: ReceivedEvent = { event: 'message', id: '', data: undefined };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) connection.comments.push(line.slice(1).trim());
    else if (line.startsWith('event: ')) event.event = line.slice(7);
    else if (line.startsWith('id: ')) event.id = line.slice(4);
    else if (line.startsWith('data: ')) {
      event.data = JSON.parse(line.slice(6));
      hasData = true;
    }
  }
  if (hasData) connection.events.push(event);
}

export function openEventStream(
  url: string,
  headers: Record<string, string>,
): Promise<EventStreamConnection> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } });
    outgoing.once('error', reject);
    outgoing.once('response', (response) => {
      let buffer = '';
      let taken = 0;
      const waiters: (() => void)[] = [];
      const wake = () => waiters.splice(0).forEach((waiter) => waiter());
      const connection: EventStreamConnection = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        events: [],
        comments: [],
        ended: new Promise((settle) => {
          response.once('end', () => settle('end'));
          response.once('aborted', () => settle('aborted'));
          response.once('error', () => settle('aborted'));
        }),
        next: async () => {
          const deadline = Date.now() + WAIT_MS;
          while (connection.events.length <= taken) {
            if (Date.now() > deadline) throw new Error(`no event ${taken + 1} within ${WAIT_MS} ms`);
            const over = await Promise.race([
              new Promise<boolean>((woken) => waiters.push(() => woken(false))),
              connection.ended.then(() => true),
              new Promise<boolean>((later) => setTimeout(() => later(false), 100)),
            ]);
            if (over && connection.events.length <= taken) throw new Error('the stream ended');
          }
          const event = connection.events[taken];
          taken += 1;
          if (!event) throw new Error('unreachable: an event was counted but not kept');
          return event;
        },
        close: () => outgoing.destroy(),
      };
      response.setEncoding('utf8');
      const isStream = String(response.headers['content-type']).startsWith('text/event-stream');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        if (!isStream) return;
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          parseBlock(buffer.slice(0, boundary), connection);
          buffer = buffer.slice(boundary + 2);
          boundary = buffer.indexOf('\n\n');
        }
        wake();
      });
      resolve(connection);
    });
    outgoing.end();
  });
}

/** Waits (bounded) until `condition` holds, checking every 20 ms. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
