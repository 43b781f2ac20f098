/** The event can never become an email, however often it is retried. */
export class UndeliverableEvent extends Error {
  override readonly name = 'UndeliverableEvent';
}

/** Another instance is sending this event's email right now; try again after it finished. */
export class DeliveryInProgress extends Error {
  override readonly name = 'DeliveryInProgress';
}

/** The SMTP server did not accept the message (unreachable, timed out, or refused it). */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly details: {
      /** a 5xx reply: the server says retrying the same message will not help */
      permanent: boolean;
      responseCode?: number;
      /** the SMTP command that failed (CONN, RCPT TO, DATA, ...) */
      command?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
