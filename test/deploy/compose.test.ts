import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { POSTGRES_SETTINGS } from '../../apps/api/src/database/embedded-postgres.ts';
import { API_NODE_FLAGS } from '../../apps/api/src/node-flags.ts';

// docker-compose.yml and the Dockerfiles cannot run here (no Docker engine), so check them statically.
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), target: z.string() }).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  ports: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]) }),
  network_mode: z.string().optional(),
  volumes: z.array(z.string()).optional(),
});
const composeSchema = z.object({ services: z.record(z.string(), serviceSchema), volumes: z.record(z.string(), z.unknown()).optional() });

const compose = composeSchema.parse(parse(read('docker-compose.yml')));
const envExample = read('.env.example');
const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  it('runs postgres, the API and an agent, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agent', 'api', 'postgres']);
    for (const service of Object.values(compose.services)) expect(service.healthcheck.test.length).toBeGreaterThan(0);
  });

  it('starts each service only once what it needs is healthy', () => {
    expect(compose.services.api?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.agent?.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  });

  it('publishes the API on port 8080 and lets the agent see the host network', () => {
    expect(compose.services.api?.ports).toEqual(['${PORT:-8080}:8080']);
    expect(compose.services.agent?.network_mode).toBe('host');
  });

  it('uses only variables that .env.example documents', () => {
    const text = read('docker-compose.yml');
    const substituted = [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!);
    const envKeys = Object.values(compose.services).flatMap((s) => Object.keys(s.environment ?? {}));
    const missing = [...new Set([...substituted, ...envKeys])].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('runs PostgreSQL with the settings the embedded server uses', () => {
    const compose = parse(read('docker-compose.yml')) as { services: { postgres: { command?: string[] } } };
    const command = compose.services.postgres.command ?? [];
    const settings = command.filter((_, i) => command[i - 1] === '-c');
    expect(settings).toEqual([...POSTGRES_SETTINGS]);
  });

  it("starts the API image with the API's node options", () => {
    const cmd = read('Dockerfile')
      .split('\n')
      .find((l) => l.startsWith('CMD') && l.includes('apps/api/src/main.ts'));
    expect(cmd).toBeDefined();
    const args = JSON.parse(cmd!.slice('CMD'.length)) as string[];
    expect(args.slice(1, 1 + API_NODE_FLAGS.length)).toEqual([...API_NODE_FLAGS]);
  });

  it('builds each service from a target of the Dockerfile that installs every workspace before npm ci', () => {
    const dockerfile = read('Dockerfile');
    const targets = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    for (const service of Object.values(compose.services)) {
      if (service.build) expect(targets).toContain(service.build.target);
    }
    expect(dockerfile).toMatch(/^FROM node:2[2-9]\S* AS deps$/m);
    const workspaces = JSON.parse(read('package.json')).workspaces as string[];
    expect(workspaces).toEqual(['packages/*', 'apps/*']);
    const ciLine = dockerfile.indexOf('RUN npm ci');
    for (const ws of ['packages/protocol', 'packages/domain', 'apps/api', 'apps/web', 'apps/agent']) {
      const copy = dockerfile.indexOf(`COPY ${ws}/package.json`);
      expect(copy, `the Dockerfile copies ${ws}/package.json`).toBeGreaterThan(-1);
      expect(copy).toBeLessThan(ciLine);
    }
    expect(dockerfile.indexOf('COPY prisma prisma')).toBeLessThan(ciLine); // postinstall runs prisma generate
  });
});

describe('.env.example', () => {
  it('documents every variable the code reads from the environment', () => {
    const sources = [
      'apps/api/src/config/config.ts',
      'apps/api/src/config/team-config.ts',
      'scripts/start-config.ts',
      'apps/agent/src/config.ts',
      'apps/api/src/database/embedded-db-main.ts',
    ].map(read);
    const read_ = sources.flatMap((s) =>
      [...s.matchAll(/\b((?:PORTPRESSURE|DATABASE|POSTGRES)_[A-Z0-9_]+|PORT|HOST)\b/g)].map((m) => m[1]!),
    );
    const missing = [...new Set(read_)].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });
});
