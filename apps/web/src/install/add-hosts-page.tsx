import { agentInstallInfoSchema, type AgentInstallInfo } from '@portpressure/protocol';
import { useEffect, useState } from 'react';
import { request } from '../api.ts';
import { installCommand, parseLabelInput } from './install-command.ts';

/**
 * "Add hosts": the one line to run on a new host, with this installation's URL (the one the
 * browser reached it at) and enrollment token. The same line upgrades an installed agent.
 */
export function AddHostsPage() {
  const { info, error } = useInstallInfo();
  return (
    <section className="card add-hosts" aria-labelledby="add-hosts-title">
      <h1 id="add-hosts-title">Add hosts</h1>
      {error && <p role="alert">Could not load the install details: {error}</p>}
      {info && <InstallPanel info={info} />}
    </section>
  );
}

/** GET /api/agents/install, once per mount. */
export function useInstallInfo(): { info: AgentInstallInfo | null; error: string | null } {
  const [info, setInfo] = useState<AgentInstallInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    request('/api/agents/install', (b) => agentInstallInfoSchema.parse(b), { signal: abort.signal }).then(setInfo, (e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
  }, []);
  return { info, error };
}

/** The command and its options; also shown on the empty fleet page. */
export function InstallPanel({ info }: { info: AgentInstallInfo }) {
  const origin = location.origin;
  const [pastedToken, setPastedToken] = useState('');
  const [labelText, setLabelText] = useState('');
  const [copied, setCopied] = useState(false);
  const token = info.enrollmentToken ?? pastedToken.trim();
  const { labels, error } = parseLabelInput(labelText);
  const command = installCommand(origin, token || '<enrollment token>', error ? [] : labels);

  const copy = () => {
    void navigator.clipboard?.writeText(command).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div className="install-panel">
      <p>
        Run this on each Linux host (x86-64) as root. It downloads the self-contained agent from this server (nothing else is contacted),
        checks its SHA-256, installs it as a systemd service with its own user, and starts it; the host enrolls with the token and appears
        in the fleet within seconds. Running it again upgrades the agent in place.
      </p>
      {!info.executableAvailable && (
        <p role="alert" className="warning">
          The agent is not built on this server yet, so the command would fail: run <code>npm run build:agent</code> where the API runs.
        </p>
      )}
      {info.enrollmentToken === null && (
        <label className="field">
          Enrollment token
          <input
            type="password"
            autoComplete="off"
            value={pastedToken}
            onChange={(e) => setPastedToken(e.target.value)}
            placeholder="ppe_…"
            aria-describedby="token-help"
          />
          <span id="token-help" className="muted">
            This server generated its token on first start and keeps only its hash: paste the token it printed in its log then, or set
            PORTPRESSURE_ENROLLMENT_TOKEN.
          </span>
        </label>
      )}
      <label className="field">
        Labels (optional)
        <input
          value={labelText}
          onChange={(e) => setLabelText(e.target.value)}
          placeholder="env=prod team=web"
          aria-invalid={error ? true : undefined}
        />
        {error && <span className="error">{error}</span>}
      </label>
      <pre className="command">
        <code data-testid="install-command">{command}</code>
      </pre>
      <button type="button" onClick={copy} disabled={!token}>
        {copied ? 'Copied' : 'Copy command'}
      </button>
      <details>
        <summary>Other ways</summary>
        <ul>
          <li>
            Uninstall: <code>curl -fsSL {origin}/install.sh | sudo sh -s -- --uninstall</code>
          </li>
          <li>
            Hosts with Node.js 20 or newer (any architecture): download{' '}
            <a href={`${origin}/downloads/agent/portpressure-agent.cjs`}>portpressure-agent.cjs</a> and run{' '}
            <code>node portpressure-agent.cjs run --server {origin} --enrollment-token …</code>
          </li>
          <li>
            Containers and Kubernetes: the <code>agent</code> image of the repository's Dockerfile (run with{' '}
            <code>--network host --pid host</code>) and the DaemonSet in <code>deploy/kubernetes</code>.
          </li>
          <li>Agent version served here: {info.serverVersion}. Hosts running an older agent are flagged in the fleet.</li>
        </ul>
      </details>
    </div>
  );
}
