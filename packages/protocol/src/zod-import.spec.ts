import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The agent's bundle takes its schemas from this package. `import { z } from 'zod'` keeps all of
// zod (its locales included) in the bundle: 266 KB became 621 KB and the long-lived agent's peak
// RSS rose by about 4 MB (docs/agent-memory.md). The namespace import lets the bundler drop it.
const here = path.dirname(fileURLToPath(import.meta.url));

describe('zod imports of the protocol package', () => {
  it('are namespace imports everywhere, so the agent bundle leaves unused zod out', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(files.length).toBeGreaterThan(5);
    const named = files.filter((f) => /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod'/.test(readFileSync(path.join(here, f), 'utf8')));
    expect(named, 'use `import * as z from "zod"`').toEqual([]);
  });
});
