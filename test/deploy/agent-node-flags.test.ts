import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../apps/agent/src/node-flags.ts';
import { seaConfigFor } from '../../scripts/build-agent.ts';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

// The agent's node options keep the long-lived agent small (apps/agent/src/node-flags.ts). Every way
// it runs must carry them: the image (test/deploy/images-kubernetes.test.ts checks its ENTRYPOINT
// and that the DaemonSet keeps it), and the single executable, which the systemd unit runs bare.
describe("the agent's node options", () => {
  it('travel inside the single executable', () => {
    expect(seaConfigFor('agent.cjs', 'sea.blob')['execArgv']).toEqual(AGENT_NODE_FLAGS);
  });

  it('are not overridden by the systemd unit, which runs the executable the install script puts at @BIN@', () => {
    const unit = read('deploy/systemd/portpressure-agent.service');
    expect(unit).toMatch(/^ExecStart=@BIN@ run$/m);
    expect(unit).not.toMatch(/NODE_OPTIONS/);
  });

  it('include --expose-gc, which the ss reader uses to free parsed output as it goes', () => {
    expect(AGENT_NODE_FLAGS).toContain('--expose-gc');
  });
});

// The agent's environment (glibc's malloc settings) is read at process start, so it cannot travel
// inside the executable: every launcher sets it.
describe("the agent's environment", () => {
  const expected = Object.entries(AGENT_ENV);

  it('sets the malloc mmap threshold', () => {
    expect(AGENT_ENV).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536' });
  });

  it('is in the systemd unit (the install script copies the unit as it is, filling in @BIN@ and @ENVFILE@)', () => {
    const unit = read('deploy/systemd/portpressure-agent.service');
    for (const [name, value] of expected) expect(unit).toMatch(new RegExp(`^Environment=${name}=${value}$`, 'm'));
    const install = read('deploy/install.sh');
    expect(install).toMatch(/sed -e "s#@BIN@#\$bin#g" -e "s#@ENVFILE@#\$envfile#g" "\$tmp\/\$SERVICE\.service" > "\$unitfile"/);
  });

  it("is in the agent image's ENV (and so in docker-compose's agent, built from it)", () => {
    const lines = read('Dockerfile')
      .replace(/\\\n\s*/g, '')
      .split('\n');
    const start = lines.findIndex((l) => / AS agent$/.test(l));
    const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
    const env = new Map<string, string>();
    for (const line of lines.slice(start, end === -1 ? undefined : end)) {
      if (!line.startsWith('ENV ')) continue;
      for (const m of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env.set(m[1]!, m[2]!);
    }
    for (const [name, value] of expected) expect(env.get(name), name).toBe(value);
  });

  it("is in the Kubernetes DaemonSet's agent container", () => {
    const docs = parseAllDocuments(read('deploy/kubernetes/agent-daemonset.yaml')).map((d) => d.toJS()) as {
      kind: string;
      spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } };
    }[];
    const daemonSet = docs.find((d) => d.kind === 'DaemonSet');
    const agent = daemonSet?.spec.template.spec.containers.find((c) => c.name === 'agent');
    for (const [name, value] of expected) expect(agent?.env?.find((e) => e.name === name)?.value, name).toBe(value);
  });

  it("is given to npm start's local agent and to the agent processes of npm run bench:agent", () => {
    expect(read('scripts/start.ts')).toMatch(/startChild\(\s*'agent',[\s\S]*?\.\.\.AGENT_ENV,[\s\S]*?\n {4}\);/);
    const bench = read('scripts/bench-agent.ts');
    expect(bench).toMatch(/env: \{ \.\.\.process\.env, \.\.\.env \}/);
    // the timer (the long-lived snapshot process) and the real `run` (on Node, or the --runtime given)
    expect(bench.match(/\],\s*AGENT_ENV,?\s*(?:runtime \?\? process\.execPath,?\s*)?\)/g)).toHaveLength(2);
  });
});
