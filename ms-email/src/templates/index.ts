export { escapeHtml, html, isWebUrl, SafeHtml } from './html.js';
export { renderEmail } from './layout.js';
export type { EmailContent } from './layout.js';
export { welcomeEmail } from './welcome.js';
export type { WelcomeData } from './welcome.js';
export { formatUtc, passwordResetEmail } from './password-reset.js';
export type { PasswordResetData } from './password-reset.js';
export type { RenderedEmail, TemplateContext } from './types.js';
