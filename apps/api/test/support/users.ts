import { auditEventListSchema, SESSION_COOKIE, userSchema, type AuditEvent, type Role, type User } from '@portpressure/protocol';
import type { Fetcher } from '../alerts/support/alerts-api.ts';

/** Signs in with a user name and password; the `Cookie` header value of the new session. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}

/** fetch() of API paths with one session cookie. */
export function fetcherFor(baseUrl: string, cookie: string): Fetcher {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    return fetch(`${baseUrl}${path}`, { ...init, headers });
  };
}

export async function createUser(admin: Fetcher, username: string, role: Role, password: string): Promise<User> {
  const res = await admin('/api/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, role, password }),
  });
  if (res.status !== 201) throw new Error(`creating ${username} answered ${res.status}: ${await res.text()}`);
  return userSchema.parse(await res.json());
}

export async function auditEvents(f: Fetcher, query = ''): Promise<AuditEvent[]> {
  const res = await f(`/api/audit?limit=500${query}`);
  if (res.status !== 200) throw new Error(`GET /api/audit answered ${res.status}: ${await res.text()}`);
  return auditEventListSchema.parse(await res.json()).events;
}

export interface DocumentedRoute {
  method: string;
  /** With every `{param}` replaced by a well-formed id that names nothing. */
  path: string;
}

/** Every route the OpenAPI document lists, so a new route is covered by the role tests without editing them. */
export async function documentedRoutes(baseUrl: string): Promise<DocumentedRoute[]> {
  const doc = (await (await fetch(`${baseUrl}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const routes: DocumentedRoute[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      routes.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000') });
    }
  }
  return routes;
}
