import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import type { GetMessage } from 'amqplib';
import { createLogger, listen } from '@marketshare/platform';
import type { ListeningServer } from '@marketshare/platform';
import { newEnvelope } from '@marketshare/platform/contracts';
import type { EventEnvelope, TypedEventEnvelope } from '@marketshare/platform/contracts';
import { EventPublisher, RabbitConnection } from '@marketshare/platform/rabbit';
import {
  createTestMysqlDatabase,
  createTestVhost,
  startTestSmtpServer,
  waitFor,
} from '@marketshare/platform/testing';
import type {
  ReceivedMail,
  TestMysqlDatabase,
  TestSmtpServer,
  TestSmtpServerOptions,
  TestVhost,
} from '@marketshare/platform/testing';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { parseEmailConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { NOTIFICATIONS_QUEUE } from '../../src/events/notifications-consumer.js';
import { startEmailService } from '../../src/service.js';
import type { EmailService } from '../../src/service.js';

export const MAIL_FROM_ADDRESS = 'no-reply@marketshare.test';
export const PUBLIC_URL = 'https://marketshare.test';
export const DEAD_QUEUE = `${NOTIFICATIONS_QUEUE}.dead`;

/** Recipients the test SMTP server refuses, and those it answers slowly. */
export const isRejected = (address: string) => address.startsWith('rejected-');
export const isSlow = (address: string) => address.startsWith('slow-');

export const logger = createLogger({ service: 'ms-email-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

export interface DeadLetter {
  messageId: string | undefined;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * A running ms-email against per-run resources: its own database, vhost and SMTP server,
 * plus a publisher on the same vhost to feed it events.
 */
export class Harness {
  /** every SMTP server this harness started; an outage test replaces the current one */
  private readonly smtpServers: TestSmtpServer[];

  private constructor(
    readonly db: TestMysqlDatabase,
    readonly vhost: TestVhost,
    readonly config: Config,
    readonly service: EmailService,
    private readonly http: ListeningServer,
    private readonly publisherConnection: RabbitConnection,
    readonly publisher: EventPublisher,
    smtp: TestSmtpServer,
  ) {
    this.smtpServers = [smtp];
  }

  get baseUrl(): string {
    return this.http.url;
  }

  static async start(env: Record<string, string> = {}): Promise<Harness> {
    const db = await createTestMysqlDatabase('ms_email');
    const vhost = await createTestVhost('ms_email');
    const smtp = await startTestSmtpServer(smtpOptions());
    const config = parseEmailConfig({
      NODE_ENV: 'test',
      PORT: '0',
      MYSQL_URL: db.url,
      RABBITMQ_URL: vhost.url,
      SMTP_URL: smtp.url,
      MAIL_FROM: `Marketshare <${MAIL_FROM_ADDRESS}>`,
      PUBLIC_URL,
      EMAIL_MAX_ATTEMPTS: '4',
      EMAIL_RETRY_DELAYS_MS: '200,500,1000',
      ...env,
    });
    const service = await startEmailService(config, { logger, defaultMetrics: false });
    const http = await listen(service.app, '127.0.0.1', 0);
    const publisherConnection = new RabbitConnection({ url: vhost.url, logger });
    publisherConnection.start();
    const publisher = new EventPublisher(publisherConnection, { logger, registry: service.metrics.registry });
    await service.consumer.waitUntilConsuming(10_000);
    await publisher.waitUntilReady(10_000);
    return new Harness(db, vhost, config, service, http, publisherConnection, publisher, smtp);
  }

  /**
   * Publishes once the publisher has a channel: other suites on this machine may restart the
   * shared broker, and a test should wait for it rather than fail on the first attempt.
   */
  async publish(event: EventEnvelope<unknown>): Promise<void> {
    await this.publisher.waitUntilReady(30_000);
    await this.publisher.publish(event);
  }

  get smtp(): TestSmtpServer {
    const current = this.smtpServers.at(-1);
    if (!current) throw new Error('no SMTP server started');
    return current;
  }

  /** Stops the SMTP server: the relay is down until restartSmtp(). */
  async stopSmtp(): Promise<number> {
    await this.smtp.stop();
    return this.smtp.port;
  }

  async restartSmtp(): Promise<void> {
    this.smtpServers.push(await startTestSmtpServer({ ...smtpOptions(), port: this.smtp.port }));
  }

  /** Mail any of this harness's SMTP servers accepted for `address`. */
  mailsTo(address: string): ReceivedMail[] {
    return this.smtpServers.flatMap((server) => server.messages).filter((mail) => mail.to.includes(address));
  }

  async waitForMailTo(address: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    return waitFor(() => this.mailsTo(address)[0], { timeoutMs, what: `an email to ${address}` });
  }

  async waitForStatus(eventId: string, status: string, timeoutMs = 10_000) {
    return waitFor(
      async () => {
        const record = await this.service.deliveryLog.find(eventId);
        return record?.status === status ? record : undefined;
      },
      { timeoutMs, what: `delivery ${eventId} to be ${status}` },
    );
  }

  /** Reads the dead-letter queue without consuming it (everything is requeued on close). */
  async deadLetters(): Promise<DeadLetter[]> {
    const connection = await connect(this.vhost.url);
    try {
      const channel = await connection.createChannel();
      const letters: DeadLetter[] = [];
      for (;;) {
        const message: GetMessage | false = await channel.get(DEAD_QUEUE);
        if (message === false) break;
        const messageId: unknown = message.properties.messageId;
        letters.push({
          messageId: typeof messageId === 'string' ? messageId : undefined,
          headers: { ...message.properties.headers },
          body: message.content.toString('utf8'),
        });
      }
      await channel.close();
      return letters;
    } finally {
      await connection.close();
    }
  }

  async waitForDeadLetter(eventId: string, timeoutMs = 10_000): Promise<DeadLetter> {
    return waitFor(async () => (await this.deadLetters()).find((letter) => letter.messageId === eventId), {
      timeoutMs,
      intervalMs: 200,
      what: `event ${eventId} in ${DEAD_QUEUE}`,
    });
  }

  /** The delivery status straight from the test database (works after the service stopped). */
  async statusInDatabase(eventId: string): Promise<string | undefined> {
    const [rows] = await this.db.pool.query<RowDataPacket[]>(
      'SELECT status FROM email_deliveries WHERE event_id = ?',
      [eventId],
    );
    const status: unknown = rows[0]?.['status'];
    return typeof status === 'string' ? status : undefined;
  }

  async queueDepth(queue = NOTIFICATIONS_QUEUE): Promise<number> {
    const connection = await connect(this.vhost.url);
    try {
      const channel = await connection.createChannel();
      const { messageCount } = await channel.checkQueue(queue);
      await channel.close();
      return messageCount;
    } finally {
      await connection.close();
    }
  }

  async counter(name: string, labels: Record<string, string>): Promise<number> {
    const metric = this.service.metrics.registry.getSingleMetric(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    const match = values.find((value) =>
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
    );
    return match?.value ?? 0;
  }

  async close(): Promise<void> {
    const steps: Array<() => Promise<unknown>> = [
      () => this.http.close(),
      () => this.service.stop(),
      () => this.publisher.close(),
      () => this.publisherConnection.close(),
      ...this.smtpServers.map((server) => () => server.stop()),
      () => this.vhost.drop(),
      () => this.db.drop(),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, 'harness cleanup failed');
  }
}

function smtpOptions(): TestSmtpServerOptions {
  return {
    rejectRecipient: isRejected,
    dataDelayMs: (recipients) => (recipients.some(isSlow) ? 1_500 : 0),
  };
}

/** A unique address per test, so tests sharing the SMTP server never read each other's mail. */
export function address(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
}

export function accountCreated(
  overrides: Partial<TypedEventEnvelope<'account.created'>['data']> = {},
): TypedEventEnvelope<'account.created'> {
  return newEnvelope('account.created', {
    accountId: randomUUID(),
    email: address(),
    username: 'ada',
    companyName: 'Acme Trading',
    role: 'consumer',
    ...overrides,
  });
}

export function passwordResetRequested(
  overrides: Partial<TypedEventEnvelope<'account.password_reset_requested'>['data']> = {},
  requestedAt = new Date('2026-03-01T10:00:00Z'),
): TypedEventEnvelope<'account.password_reset_requested'> {
  return newEnvelope(
    'account.password_reset_requested',
    {
      accountId: randomUUID(),
      email: address(),
      username: 'ada',
      companyName: 'Acme Trading',
      resetUrl: `${PUBLIC_URL}/reset-password?token=abc123&account=42`,
      expiresAt: new Date(requestedAt.getTime() + 60 * 60_000).toISOString(),
      ...overrides,
    },
    requestedAt,
  );
}
