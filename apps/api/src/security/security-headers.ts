import type { NextFunction, Request, Response } from 'express';

/**
 * Headers on every response. The UI is one bundle from this origin with no inline script, so
 * the policy allows only 'self' (plus inline styles, which the charts set, and data: images); no
 * page may frame it (clickjacking of the acknowledge and delete buttons), no response is
 * content-sniffed into something executable, and no URL leaks in Referer to other sites.
 * /api/docs (Swagger UI) uses inline script, so it gets its own, looser policy.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', req.path.startsWith('/api/docs') ? DOCS_CSP : CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
}
