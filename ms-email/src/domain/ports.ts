import type { EmailType } from './notifications.js';

/** An email ready for the transport; `eventId` lets the transport derive a stable Message-ID. */
export interface OutgoingEmail {
  eventId: string;
  to: { name: string; address: string };
  subject: string;
  html: string;
  text: string;
}

/** What the SMTP server answered when it took responsibility for the message. */
export interface SentReceipt {
  messageId: string;
  response: string;
}

export interface MailSender {
  /** Resolves once the SMTP server accepted the message; rejects with MailSendError. */
  send(email: OutgoingEmail): Promise<SentReceipt>;
}

export type DeliveryStatus = 'sending' | 'sent' | 'failed' | 'dead';

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  emailType: string;
  recipient: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  sentAt: Date | null;
}

export interface ClaimRequest {
  eventId: string;
  eventType: string;
  emailType: EmailType;
  recipient: string;
  /** how long the claim keeps other instances off this event: longer than any one send */
  leaseMs: number;
}

export type ClaimResult =
  | { kind: 'claimed'; attempts: number }
  /** the email for this event was sent already */
  | { kind: 'sent' }
  /** another instance holds a live claim: it is sending right now */
  | { kind: 'busy' };

/** The delivery log: one row per event id, the source of truth for deduplication. */
export interface DeliveryLog {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  markSent(eventId: string, receipt: SentReceipt): Promise<void>;
  markFailed(eventId: string, error: string, options: { dead: boolean }): Promise<void>;
  /** An event that can never become an email (bad payload, unsafe link): logged as dead. */
  recordUndeliverable(entry: {
    eventId: string;
    eventType: string;
    emailType: string;
    error: string;
  }): Promise<void>;
  find(eventId: string): Promise<DeliveryRecord | undefined>;
}

/**
 * `skipped`: the event needs no email (a status nobody is told about) or its recipient cannot
 * get one (unknown or deactivated account); it is acknowledged without sending.
 */
export type EmailOutcome = 'sent' | 'failed' | 'duplicate' | 'dead' | 'skipped';

/** Who an account is, as far as addressing an email goes. */
export interface AccountContact {
  id: string;
  username: string;
  companyName: string;
  email: string;
  role: string;
  status: 'active' | 'deactivated';
}

/**
 * ms-users' account lookup. Resolves undefined for an unknown account; rejects (retryably)
 * when ms-users cannot be asked right now.
 */
export interface AccountDirectory {
  findAccount(id: string): Promise<AccountContact | undefined>;
}

export interface EmailMetrics {
  outcome(emailType: string, outcome: EmailOutcome): void;
  sendDuration(emailType: string, outcome: 'sent' | 'failed', seconds: number): void;
}
