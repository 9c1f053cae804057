import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { AGENT_NODE_FLAGS } from '../../apps/agent/src/node-flags.ts';
import { seaConfigFor } from '../../scripts/build-agent.ts';

// The agent's node options keep the long-lived agent small (apps/agent/src/node-flags.ts). Every way
// it runs must carry them: the image (test/deploy/images-kubernetes.test.ts checks its ENTRYPOINT
// and that the DaemonSet keeps it), and the single executable, which the systemd unit runs bare.
describe("the agent's node options", () => {
  it('travel inside the single executable', () => {
    expect(seaConfigFor('agent.cjs', 'sea.blob')['execArgv']).toEqual(AGENT_NODE_FLAGS);
  });

  it('are not overridden by the systemd unit, which runs the executable the install script puts at @BIN@', () => {
    const unit = readFileSync(path.join(REPO_ROOT, 'deploy/systemd/portpressure-agent.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=@BIN@ run$/m);
    expect(unit).not.toMatch(/NODE_OPTIONS/);
  });

  it('include --expose-gc, which the ss reader uses to free parsed output as it goes', () => {
    expect(AGENT_NODE_FLAGS).toContain('--expose-gc');
  });
});
