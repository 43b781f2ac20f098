import { Readable } from 'node:stream';

export interface ServerSentEvent {
  event: string;
  id: string;
  data: unknown;
}

/** Response headers of an event stream; `X-Accel-Buffering` keeps proxies from holding events back. */
export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * A text/event-stream body: events and heartbeat comments pushed into a Readable the response
 * pipes out. `closed` runs once, however it ends (by us, by the client going away, or an error).
 */
export class EventStream {
  readonly body = new Readable({ read: () => undefined });
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

  constructor(heartbeatMs: number, closed: () => void) {
    // Headers go out with the first bytes: a client resuming with nothing new still sees it open.
    this.write(': connected\n\n');
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
    this.body.once('close', () => {
      this.ended = true;
      clearInterval(this.heartbeat);
      closed();
    });
  }

  send(event: ServerSentEvent): void {
    // JSON has no raw line breaks, so one `data:` line holds it.
    this.write(`event: ${event.event}\nid: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }

  /** Ends the response after what was sent (the client sees a complete stream). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.body.push(null);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private write(text: string): void {
    if (!this.ended) this.body.push(text);
  }
}
