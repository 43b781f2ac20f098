import type { SafeHtml } from './html.js';
import { html } from './html.js';
import type { RenderedEmail, TemplateContext } from './types.js';

/** The parts a template fills in; the layout adds the frame, the footer and both formats. */
export interface EmailContent {
  subject: string;
  /** one line mail clients show beside the subject */
  preheader: string;
  heading: string;
  bodyHtml: SafeHtml;
  bodyText: string;
  action?: { label: string; url: string };
  /** why the recipient gets this email, in the footer */
  reason: string;
}

// Subjects become a header: strip line breaks and control characters so event data can
// never start a new header line, whatever the transport does.
function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function actionButton(action: EmailContent['action']): SafeHtml {
  if (!action) return html``;
  return html`<p style="margin:24px 0">
      <a
        href="${action.url}"
        style="background:#1f6feb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block"
        >${action.label}</a
      >
    </p>
    <p style="font-size:13px;color:#57606a">
      If the button does not work, copy this address into your browser:<br />${action.url}
    </p>`;
}

function renderHtml(content: EmailContent, context: TemplateContext): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${content.subject}</title>
      </head>
      <body
        style="margin:0;padding:0;background:#f6f8fa;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#24292f"
      >
        <span style="display:none;max-height:0;overflow:hidden">${content.preheader}</span>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
          <tr>
            <td align="center" style="padding:24px">
              <table
                role="presentation"
                width="600"
                cellpadding="0"
                cellspacing="0"
                style="max-width:600px;background:#ffffff;border-radius:8px"
              >
                <tr>
                  <td
                    style="padding:24px 32px;border-bottom:1px solid #d0d7de;font-size:20px;font-weight:600"
                  >
                    Marketshare
                  </td>
                </tr>
                <tr>
                  <td style="padding:24px 32px;font-size:15px;line-height:1.5">
                    <h1 style="font-size:22px;margin:0 0 16px">${content.heading}</h1>
                    ${content.bodyHtml} ${actionButton(content.action)}
                  </td>
                </tr>
                <tr>
                  <td style="padding:16px 32px;border-top:1px solid #d0d7de;font-size:12px;color:#57606a">
                    ${content.reason}<br />
                    <a href="${context.publicUrl}" style="color:#57606a">${context.publicUrl}</a>
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html> `.value;
}

function renderText(content: EmailContent, context: TemplateContext): string {
  const lines = ['Marketshare', '', content.heading, '', content.bodyText.trim(), ''];
  if (content.action) lines.push(`${content.action.label}: ${content.action.url}`, '');
  lines.push('--', content.reason, context.publicUrl, '');
  return lines.join('\n');
}

/** Wraps a template's content in the shared frame, as HTML and plain text. */
export function renderEmail(content: EmailContent, context: TemplateContext): RenderedEmail {
  return {
    subject: headerSafe(content.subject),
    html: renderHtml(content, context),
    text: renderText(content, context),
  };
}
