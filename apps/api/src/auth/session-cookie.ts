import { SESSION_COOKIE } from '@portpressure/protocol';

/** The session token from a Cookie header, if there is one that looks like ours. */
export function readSessionToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // tokens are 43 base64url characters; anything else is not worth a database lookup
    return /^[\w-]{43}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * httpOnly so scripts cannot read it; SameSite=Strict so no other site's page can make the browser
 * send it (the REST API and the live WebSocket rely on that instead of CSRF tokens; the HTML shell
 * needs no session, so a link from a chat message still opens the app); Secure when the request
 * came over https (directly, or through a proxy trusted with PORTPRESSURE_TRUST_PROXY).
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
