import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { MailSendError } from '../domain/errors.js';
import type { MailSender, OutgoingEmail, SentReceipt } from '../domain/ports.js';

export interface SmtpSenderOptions {
  /** smtp://[user:pass@]host:port, or smtps:// for implicit TLS */
  url: string;
  /** the From header, e.g. `Marketshare <no-reply@marketshare.example>` */
  from: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** The longest a single send can take with these timeouts: what a delivery claim must outlast. */
export function maxSendDurationMs(options: SmtpSenderOptions): number {
  const { connection, greeting, socket } = timeouts(options);
  return connection + greeting + socket;
}

function timeouts(options: SmtpSenderOptions) {
  // Short connect and greeting timeouts: a dead relay should fail fast into a retry, not
  // pin a consumer slot for the nodemailer defaults of minutes.
  return {
    connection: options.connectionTimeoutMs ?? 5_000,
    greeting: options.greetingTimeoutMs ?? 5_000,
    socket: options.socketTimeoutMs ?? 30_000,
  };
}

/**
 * Options of nodemailer's plain (unpooled) SMTP transport: one connection per message, so
 * there are no idle sockets to a relay that may restart and each send stands on its own.
 */
export function smtpTransportOptions(options: SmtpSenderOptions): SMTPTransport.Options {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const { connection, greeting, socket } = timeouts(options);
  return {
    host: url.hostname,
    port: url.port === '' ? (secure ? 465 : 25) : Number(url.port),
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: connection,
    greetingTimeout: greeting,
    socketTimeout: socket,
  };
}

/** `Name <user@example.com>` → `example.com`: the right-hand side of our Message-IDs. */
export function senderDomain(from: string): string {
  const match = /@([^\s<>@]+?)>?\s*$/.exec(from);
  return match?.[1] ?? 'marketshare.local';
}

function numberField(error: object, field: string): number | undefined {
  const value: unknown = Reflect.get(error, field);
  return typeof value === 'number' ? value : undefined;
}

function stringField(error: object, field: string): string | undefined {
  const value: unknown = Reflect.get(error, field);
  return typeof value === 'string' ? value : undefined;
}

/** nodemailer's errors carry the SMTP reply code and the failed command as extra fields. */
export function toMailSendError(error: unknown): MailSendError {
  if (!(error instanceof Error)) return new MailSendError(String(error), { permanent: false });
  const responseCode = numberField(error, 'responseCode');
  const command = stringField(error, 'command');
  const code = stringField(error, 'code');
  const message = [code, command, error.message].filter(Boolean).join(' ');
  return new MailSendError(
    message,
    {
      permanent: responseCode !== undefined && responseCode >= 500,
      ...(responseCode !== undefined ? { responseCode } : {}),
      ...(command !== undefined ? { command } : {}),
    },
    { cause: error },
  );
}

// A proxy tracer: real once the service's telemetry-register has started the SDK.
const tracer = trace.getTracer('@marketshare/ms-email/smtp');

/** Sends over SMTP with nodemailer; resolves only once the server accepted the message. */
export class SmtpMailSender implements MailSender {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;

  private readonly server: { host: string; port: number };

  constructor(private readonly options: SmtpSenderOptions) {
    const transport = smtpTransportOptions(options);
    this.server = { host: transport.host ?? '', port: transport.port ?? 0 };
    this.transporter = nodemailer.createTransport(transport);
    this.domain = senderDomain(options.from);
  }

  async send(email: OutgoingEmail): Promise<SentReceipt> {
    // nodemailer has no OpenTelemetry instrumentation: the SMTP exchange gets its own span,
    // a child of the consumer's, so a checkout's trace ends with the mail handed over.
    return tracer.startActiveSpan(
      'smtp send',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'server.address': this.server.host,
          'server.port': this.server.port,
          'network.protocol.name': 'smtp',
          'marketshare.event.id': email.eventId,
        },
      },
      async (span) => {
        try {
          const receipt = await this.deliver(email);
          span.setAttribute('smtp.message_id', receipt.messageId);
          return receipt;
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async deliver(email: OutgoingEmail): Promise<SentReceipt> {
    try {
      const info = await this.transporter.sendMail({
        from: this.options.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        // Stable per event: should a crash ever make us send twice, clients see one message.
        messageId: `<${email.eventId}@${this.domain}>`,
        headers: { 'X-Marketshare-Event-Id': email.eventId },
      });
      return { messageId: info.messageId, response: info.response };
    } catch (error) {
      throw toMailSendError(error);
    }
  }

  /** Connects and greets the server; for a startup log line, not for readiness. */
  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (error) {
      throw toMailSendError(error);
    }
  }

  close(): void {
    this.transporter.close();
  }
}
