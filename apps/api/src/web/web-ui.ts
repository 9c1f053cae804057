import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Portpressure</title>
<p>The web UI is not built. Run <code>npm run build:web</code> (npm start does it for you).</p>`;

/** The agent's install script and downloads (apps/api/src/install), answered by their controller. */
function isInstallPath(p: string): boolean {
  return p === '/install.sh' || p.startsWith('/downloads/');
}

/**
 * Serves the built React app on the API's origin: static files, and index.html for any other GET
 * outside /api and /ws so client-side routes survive a reload.
 */
export function serveWebUi(app: NestExpressApplication, webDir: string): { built: boolean } {
  const index = path.join(webDir, 'index.html');
  const built = existsSync(index);
  if (built) app.useStaticAssets(webDir, { index: false, maxAge: '1h', immutable: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/ws/') || isInstallPath(req.path)) {
      return next();
    }
    if (!built) return res.status(503).type('html').send(NOT_BUILT_PAGE);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return { built };
}
