import { html } from './html.js';
import { renderEmail } from './layout.js';
import type { RenderedEmail, TemplateContext } from './types.js';

export interface WelcomeData {
  companyName: string;
  username: string;
  role: 'seller' | 'consumer';
}

const NEXT_STEP: Record<WelcomeData['role'], string> = {
  seller: 'Sign in to publish your catalogue and start receiving orders.',
  consumer: 'Sign in to search the catalogue and place your first order.',
};

export function welcomeEmail(data: WelcomeData, context: TemplateContext): RenderedEmail {
  const accountKind = data.role === 'seller' ? 'seller' : 'buyer';
  return renderEmail(
    {
      subject: `Welcome to Marketshare, ${data.companyName}`,
      preheader: `Your ${accountKind} account is ready.`,
      heading: `Welcome to Marketshare, ${data.companyName}`,
      bodyHtml: html`<p>Hello ${data.username},</p>
        <p>
          The ${accountKind} account of <strong>${data.companyName}</strong> is ready. Your username is
          <strong>${data.username}</strong>.
        </p>
        <p>${NEXT_STEP[data.role]}</p>`,
      bodyText: [
        `Hello ${data.username},`,
        '',
        `The ${accountKind} account of ${data.companyName} is ready.`,
        `Your username is ${data.username}.`,
        '',
        NEXT_STEP[data.role],
      ].join('\n'),
      action: { label: 'Open Marketshare', url: context.publicUrl },
      reason: 'You receive this email because an account was registered with this address.',
    },
    context,
  );
}
