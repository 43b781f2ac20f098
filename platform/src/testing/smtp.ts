import type { AddressObject, ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';

/** One message the test server accepted, parsed the way a mail client would read it. */
export interface ReceivedMail {
  /** the From header's address (not the envelope sender) */
  from: string | undefined;
  /** every address in the To header */
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  messageId: string | undefined;
  /** header name (lower case) → unfolded raw value (RFC 2047 words left encoded); repeats joined by a newline */
  headers: Record<string, string>;
  /** the SMTP envelope (MAIL FROM / RCPT TO), which may differ from the headers */
  envelope: { from: string | undefined; to: string[] };
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  /** accepted messages, in the order their DATA completed */
  messages: ReceivedMail[];
  /** Resolves with the messages once at least `count` arrived; rejects after timeoutMs. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Stops listening and drops open sessions; the port is free again when it resolves. */
  stop(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** a fixed port, e.g. the one of a server stopped earlier to simulate an outage */
  port?: number;
  /** recipients it answers with a permanent 550 at RCPT TO */
  rejectRecipient?: (address: string) => boolean;
  /** largest message accepted, in bytes (default 10 MiB) */
  sizeLimitBytes?: number;
  /** how long to hold the reply to DATA for these recipients: a slow relay, for drain tests */
  dataDelayMs?: (recipients: string[]) => number;
}

function smtpError(responseCode: number, message: string): Error {
  // smtp-server reads `responseCode` off the error to choose the reply code.
  return Object.assign(new Error(message), { responseCode });
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) => object.value).flatMap((entry) => (entry.address ? [entry.address] : []));
}

function headerRecord(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}\n${value}`;
  }
  return headers;
}

function toReceivedMail(parsed: ParsedMail, session: SMTPServerSession, raw: string): ReceivedMail {
  const mailFrom = session.envelope.mailFrom;
  return {
    from: addresses(parsed.from)[0],
    to: addresses(parsed.to),
    subject: parsed.subject,
    text: parsed.text,
    html: parsed.html === false ? undefined : parsed.html,
    messageId: parsed.messageId,
    headers: headerRecord(parsed),
    envelope: {
      from: mailFrom === false ? undefined : mailFrom.address,
      to: session.envelope.rcptTo.map((recipient) => recipient.address),
    },
    raw,
  };
}

async function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    if (Buffer.isBuffer(chunk)) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A real SMTP server on 127.0.0.1 for tests (smtp-server + mailparser): clients speak the
 * whole protocol to it, so transport timeouts, reply codes and MIME encoding are exercised
 * exactly as against a production relay. No AUTH and no STARTTLS, like a local sink.
 */
export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const arrivals = new Set<() => void>();
  const sizeLimit = options.sizeLimitBytes ?? 10 * 1024 * 1024;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: sizeLimit,
    logger: false,
    banner: 'marketshare test SMTP server',
    // A test stopping the server to simulate an outage should not wait 30 s for idle clients.
    closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        callback(smtpError(550, `5.1.1 <${address.address}>: recipient rejected`));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      readStream(stream)
        .then(async (buffer) => {
          const delayMs = options.dataDelayMs?.(session.envelope.rcptTo.map((rcpt) => rcpt.address)) ?? 0;
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          if (stream.sizeExceeded) {
            callback(smtpError(552, '5.3.4 message exceeds the size limit'));
            return;
          }
          const raw = buffer.toString('utf8');
          messages.push(toReceivedMail(await simpleParser(buffer), session, raw));
          for (const notify of [...arrivals]) notify();
          callback();
        })
        .catch((error: unknown) => {
          callback(smtpError(451, `4.3.0 could not read the message: ${String(error)}`));
        });
    },
  });
  // Connection-level errors (a client resetting the socket) are normal in outage tests.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP test server has no TCP address');
  const port = address.port;

  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          arrivals.delete(check);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      });
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
