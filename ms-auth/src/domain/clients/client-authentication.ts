import type { ClientsRepository } from '../../store/clients-repository.js';
import { OAuthError } from '../oauth-error.js';
import { hashClientSecret, secretMatches } from './client-secret.js';
import { REGISTERED_CLIENTS, type Client } from './registered-clients.js';

// Compared against when the client id is unknown, so unknown ids cost the same as wrong secrets.
const UNKNOWN_CLIENT_HASH = hashClientSecret('unknown-client');

export class ClientAuthenticator {
  constructor(private readonly clients: ClientsRepository) {}

  /** The client whose id and secret these are, or an invalid_client refusal. */
  async authenticate(clientId: string, secret: string): Promise<Client> {
    const stored = await this.clients.findEnabled(clientId);
    const matches = secretMatches(secret, stored?.secretHash ?? UNKNOWN_CLIENT_HASH);
    if (!stored || !matches) throw new OAuthError('invalid_client', 'Client authentication failed.');
    return stored.client;
  }
}

/**
 * Makes the `clients` table match the clients registered in code and their configured
 * secrets; clients no longer registered are disabled, not deleted, so their history stays.
 */
export async function syncRegisteredClients(
  clients: ClientsRepository,
  secrets: Readonly<Record<string, string>>,
): Promise<void> {
  const rows = REGISTERED_CLIENTS.map((definition) => {
    const secret = secrets[definition.id];
    if (secret === undefined) throw new Error(`no secret configured for client ${definition.id}`);
    return { definition, secretHash: hashClientSecret(secret) };
  });
  await clients.replaceRegistered(rows, new Date());
}
