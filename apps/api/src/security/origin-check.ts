import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ApiError } from '@portpressure/protocol';

/** Methods that change nothing; every other one must come from the UI's own origin. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a request comes from a page of this installation. SameSite=Strict keeps the session
 * cookie from other *sites*, but a page on another port of the same host (or a sibling subdomain)
 * is the same site and gets it. Browsers name the page in `Origin` on every WebSocket upgrade and
 * every non-GET request (`no-cors` ones included), and send `Sec-Fetch-Site`; clients that send
 * neither (curl, scripts, agents) are not browsers, cannot carry someone else's cookie, and pass.
 *
 * The page's origin must equal the address the request was sent to (its Host header) or the
 * configured public URL's origin.
 */
export function isSameOrigin(req: IncomingMessage, publicOrigin: string): boolean {
  const origin = first(req.headers.origin);
  if (origin === undefined) {
    const site = first(req.headers['sec-fetch-site']);
    return site === undefined || site === 'same-origin' || site === 'none';
  }
  if (origin === publicOrigin) return true;
  const host = first(req.headers.host);
  if (host === undefined) return false;
  // Either scheme: behind a TLS-terminating proxy the API sees http for an https page, and the
  // host and port (what tells one site's pages apart from another's) must match exactly anyway.
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** Express middleware: a state-changing request from another origin gets 403 and is not run. */
export function originCheck(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method) || isSameOrigin(req, publicOrigin)) return next();
    const body: ApiError = {
      statusCode: 403,
      code: 'CROSS_ORIGIN_REFUSED',
      message: `requests that change something must come from the Portpressure UI itself, not from ${first(req.headers.origin) ?? 'another site'}`,
    };
    res.status(403).json(body);
  };
}
