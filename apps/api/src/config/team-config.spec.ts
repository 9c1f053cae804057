import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.ts';

const base = { DATABASE_URL: 'postgresql://localhost/x' };

describe('team settings in the API config', () => {
  it('defaults to password sign-in, no single sign-on, no proxy', () => {
    const config = loadApiConfig(base);
    expect(config.passwordLogin).toBe(true);
    expect(config.oidc).toBeUndefined();
    expect(config.egressProxy).toEqual({ httpsProxy: undefined, httpProxy: undefined, noProxy: undefined });
    expect(config.auditRetentionDays).toBe(365);
  });

  it('reads single sign-on with its role map and derives the redirect URI from the public URL', () => {
    const config = loadApiConfig({
      ...base,
      PORTPRESSURE_PUBLIC_URL: 'https://pp.example.com/',
      PORTPRESSURE_OIDC_ISSUER: 'https://id.example.com/realms/ops',
      PORTPRESSURE_OIDC_CLIENT_ID: 'pp',
      PORTPRESSURE_OIDC_CLIENT_SECRET: 's3cret',
      PORTPRESSURE_OIDC_SCOPES: 'profile groups',
      PORTPRESSURE_OIDC_ROLE_MAP: 'platform-admins=admin, sre=editor',
      PORTPRESSURE_PASSWORD_LOGIN: 'false',
    });
    expect(config.oidc).toMatchObject({
      redirectUri: 'https://pp.example.com/api/auth/oidc/callback',
      scopes: 'openid profile groups',
      roleMap: [
        { group: 'platform-admins', role: 'admin' },
        { group: 'sre', role: 'editor' },
      ],
      defaultRole: 'viewer',
    });
    expect(config.passwordLogin).toBe(false);
  });

  it('takes the lower-case proxy variables too', () => {
    const config = loadApiConfig({ ...base, https_proxy: 'http://proxy:3128', no_proxy: '.internal' });
    expect(config.egressProxy).toEqual({ httpsProxy: 'http://proxy:3128', httpProxy: undefined, noProxy: '.internal' });
  });

  it.each([
    [{ PORTPRESSURE_OIDC_ISSUER: 'https://id.example.com' }, /set all three or none/],
    [{ PORTPRESSURE_PASSWORD_LOGIN: 'false' }, /PORTPRESSURE_PASSWORD_LOGIN/],
    [{ PORTPRESSURE_OIDC_ROLE_MAP: 'ops=superuser' }, /PORTPRESSURE_OIDC_ROLE_MAP.*ops=superuser/s],
    [
      { PORTPRESSURE_OIDC_ISSUER: 'http://id.example.com', PORTPRESSURE_OIDC_CLIENT_ID: 'a', PORTPRESSURE_OIDC_CLIENT_SECRET: 'b' },
      /PORTPRESSURE_OIDC_ISSUER.*https/s,
    ],
    [{ HTTPS_PROXY: 'socks5://proxy:1080' }, /HTTPS_PROXY/],
    [{ PORTPRESSURE_OIDC_DEFAULT_ROLE: 'root' }, /PORTPRESSURE_OIDC_DEFAULT_ROLE/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadApiConfig({ ...base, ...env })).toThrow(message);
  });
});
