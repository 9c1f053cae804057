import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Portpressure</title>
<p>The web UI is not built. Run <code>npm run build:web</code> (npm start does it for you).</p>`;

/** The agent's install script and downloads (apps/api/src/install), answered by their controller. */
/**
 * First path segments of the UI's client-side routes (apps/web/src/routes.tsx, plus the sign-in
 * page). Only these get index.html on a reload; any other path is a 404, so a probe or a scrape
 * sent to a wrong path fails instead of getting the app's page with a 200. A new top-level page
 * adds its segment here.
 */
export const UI_SECTIONS = new Set([
  '',
  'hosts',
  'workloads',
  'destinations',
  'add-hosts',
  'alerts',
  'settings',
  'storage',
  'login',
  'users',
  'audit',
  'admin',
  'account',
]);

/** Whether a GET of `path` is a page of the UI (a client-side route), not a file or an API path. */
export function isUiRoute(path: string): boolean {
  const first = path.split('/')[1] ?? '';
  return UI_SECTIONS.has(first) && !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * Serves the built React app on the API's origin: static files, and index.html for the UI's own
 * routes so they survive a reload. Everything else falls through to Nest, which answers 404.
 */
export function serveWebUi(app: NestExpressApplication, webDir: string): { built: boolean } {
  const index = path.join(webDir, 'index.html');
  const built = existsSync(index);
  if (built) app.useStaticAssets(webDir, { index: false, maxAge: '1h', immutable: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isUiRoute(req.path)) return next();
    if (!built) return res.status(503).type('html').send(NOT_BUILT_PAGE);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return { built };
}
