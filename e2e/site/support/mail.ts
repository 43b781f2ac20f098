/**
 * The stack's SMTP sink (maildev) as a browser test reads it: the first email to an address
 * whose subject matches, waited for with a bound.
 */
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import type { World } from '../../support/world.js';

export interface SinkMail {
  to: { address: string }[];
  subject: string;
  text?: string;
}

export function mailTo(
  world: World,
  address: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<SinkMail> {
  return waitFor(
    async () => {
      const response = await httpRequest(`${world.stack.info.urls.smtpWeb}/email`);
      const list = Array.isArray(response.body) ? (response.body as SinkMail[]) : []; // maildev's REST API shape
      return list.find((mail) => subject.test(mail.subject) && mail.to.some((to) => to.address === address));
    },
    { timeoutMs, what: `an email to ${address} with a subject like ${String(subject)}` },
  );
}
