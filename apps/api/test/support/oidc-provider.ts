import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const OIDC_CLIENT_ID = 'portpressure-test';
export const OIDC_CLIENT_SECRET = 'oidc-client-secret-0123456789abcdef';

export interface TestIdentityProvider {
  /** The issuer URL, http://127.0.0.1:<port> */
  issuer: string;
  /** Registers the relying party's redirect URI; call once the API's address is known. */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (the oidc-provider package) on loopback, with its development login form
 * (any login name, any password) and consent page. `groups` gives each login's groups claim.
 */
export async function startIdentityProvider(groups: Record<string, string[]>): Promise<TestIdentityProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler === undefined) {
      res.writeHead(503).end('identity provider not ready');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: OIDC_CLIENT_ID,
            client_secret: OIDC_CLIENT_SECRET,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
        scopes: ['openid', 'profile', 'email', 'groups'],
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ sub: id, preferred_username: id, name: id, email: `${id}@example.com`, groups: groups[id] ?? [] }),
        }),
        cookies: { keys: ['test-cookie-key-0123456789'] },
        features: { devInteractions: { enabled: true } },
      });
      handler = provider.callback();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
