import type { Api } from '$lib/server/api';
import type { SessionUser } from '$lib/server/session/session';

declare global {
  namespace App {
    interface Locals {
      requestId: string;
      /** Who is signed in; null for anonymous visitors. The tokens stay in $lib/server. */
      user: SessionUser | null;
      /** The services, called with this user's token (see $lib/server/api). */
      api: Api;
      /** Set by the login and logout actions, for the session handling in hooks.server.ts. */
      sessionId: string | null;
      /** After a profile edit: the name the header shows, in the session and for this request. */
      renameViewer: (name: string) => void;
    }
    interface Error {
      message: string;
      requestId?: string;
    }
  }
}

export {};
