import { html } from './html.js';
import { renderEmail } from './layout.js';
import type { RenderedEmail, TemplateContext } from './types.js';

export interface PasswordResetData {
  username: string;
  companyName: string;
  resetUrl: string;
  expiresAt: Date;
  /** when the reset was requested: the validity is told relative to it, not to the send time */
  requestedAt: Date;
}

/** `2026-05-04 13:45 UTC`: unambiguous for readers in any zone. */
export function formatUtc(instant: Date): string {
  return `${instant.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function validity(data: PasswordResetData): string {
  const minutes = Math.max(0, Math.round((data.expiresAt.getTime() - data.requestedAt.getTime()) / 60_000));
  const span = minutes >= 120 && minutes % 60 === 0 ? `${minutes / 60} hours` : `${minutes} minutes`;
  return `It works once and expires at ${formatUtc(data.expiresAt)} (${span} after it was requested).`;
}

export function passwordResetEmail(data: PasswordResetData, context: TemplateContext): RenderedEmail {
  const expiry = validity(data);
  const ignore = 'If you did not ask for this, ignore this email: your password stays as it is.';
  return renderEmail(
    {
      subject: 'Reset your Marketshare password',
      preheader: `Choose a new password. ${expiry}`,
      heading: 'Reset your password',
      bodyHtml: html`<p>Hello ${data.username},</p>
        <p>
          Someone asked to reset the password of <strong>${data.username}</strong> (${data.companyName}). Use
          the link below to choose a new one. ${expiry}
        </p>
        <p>${ignore}</p>`,
      bodyText: [
        `Hello ${data.username},`,
        '',
        `Someone asked to reset the password of ${data.username} (${data.companyName}).`,
        `Use the link below to choose a new one. ${expiry}`,
        '',
        ignore,
      ].join('\n'),
      action: { label: 'Choose a new password', url: data.resetUrl },
      reason: 'You receive this email because a password reset was requested for your account.',
    },
    context,
  );
}
