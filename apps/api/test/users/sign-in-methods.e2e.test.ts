import { authMethodsSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, TEST_ADMIN_PASSWORD, type ApiHarness } from '../support/api-harness.ts';

describe('password sign-in turned off', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    // the identity provider is never contacted here: only what the sign-in page offers is checked
    h = await startApiHarness({
      PORTPRESSURE_PASSWORD_LOGIN: 'false',
      PORTPRESSURE_OIDC_ISSUER: 'https://id.example.com',
      PORTPRESSURE_OIDC_CLIENT_ID: 'pp',
      PORTPRESSURE_OIDC_CLIENT_SECRET: 'secret',
      PORTPRESSURE_OIDC_LABEL: 'Sign in with Example ID',
    });
  });
  afterAll(async () => h?.stop());

  it('offers only single sign-on and refuses a correct password', async () => {
    const methods = authMethodsSchema.parse(await (await fetch(`${h.api.url}/api/auth/methods`)).json());
    expect(methods).toEqual({ password: false, sso: { label: 'Sign in with Example ID' } });
    const res = await fetch(`${h.api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'PASSWORD_LOGIN_DISABLED' });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a callback that no sign-in started, without a session', async () => {
    const res = await fetch(`${h.api.url}/api/auth/oidc/callback?state=forged&code=x`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/\?ssoError=/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('portpressure_session=') && !c.includes('Max-Age=0'))).toBe(false);
  });
});
