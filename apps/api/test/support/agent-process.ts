import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/config.ts';

/** A real `portpressure-agent run` process, with its output kept for assertions and failure messages. */
export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Spawns the agent exactly as an operator would run it from a checkout; `prefix` runs it through
 * another command first (e.g. setpriv, to run it as an unprivileged user).
 */
export function spawnAgent(args: string[], env: Record<string, string> = {}, prefix: string[] = []): AgentProcess {
  let output = '';
  const argv = [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'apps/agent/src/main.ts'), 'run', ...args];
  const [command, ...rest] = [...prefix, ...argv] as [string, ...string[]];
  const child = spawn(command, rest, {
    cwd: REPO_ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'apps/agent/tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
