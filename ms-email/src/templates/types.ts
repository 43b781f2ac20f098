/** A rendered email: what a template produces and the transport sends. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What every template may use besides its own data. */
export interface TemplateContext {
  /** the site's public address, without a trailing slash */
  publicUrl: string;
}
