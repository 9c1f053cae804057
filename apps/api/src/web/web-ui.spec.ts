import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUiRoute, UI_SECTIONS } from './web-ui.ts';

const ROUTES_FILE = path.resolve(import.meta.dirname, '../../../web/src/routes.tsx');

describe('UI routes served by the API', () => {
  it('serves the app for the first path segment of every page the web UI routes', () => {
    const paths = [...readFileSync(ROUTES_FILE, 'utf8').matchAll(/\bpath: '([^']+)'/g)].map((m) => m[1] ?? '');
    expect(paths.length).toBeGreaterThan(5);
    const missing = paths.filter((p) => !UI_SECTIONS.has(p.split('/')[1] ?? ''));
    expect(missing).toEqual([]);
  });

  it('does not serve the app for files, API paths or unknown sections', () => {
    expect(isUiRoute('/hosts/abc')).toBe(true);
    expect(isUiRoute('/favicon.ico')).toBe(false);
    expect(isUiRoute('/api/fleet')).toBe(false);
    expect(isUiRoute('/install.sh')).toBe(false);
    expect(isUiRoute('/nope')).toBe(false);
  });
});
