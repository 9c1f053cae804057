import { RELEASE_VERSION, compareVersions } from '@portpressure/protocol';
import { Link } from '../router.tsx';

/**
 * Flags an agent older than this server (the UI ships with the API, so RELEASE_VERSION is the
 * server's). Running the install command again on the host upgrades it.
 */
export function OutdatedAgentBadge({ version, long = false }: { version: string | null | undefined; long?: boolean }) {
  // Only release numbers compare; a development build's name (e.g. "test") is not flagged.
  if (!version || !/^\d+\.\d+/.test(version) || compareVersions(version, RELEASE_VERSION) >= 0) return null;
  const why = `agent ${version} is older than the server (${RELEASE_VERSION}); run the install command on the host again to upgrade it`;
  return long ? (
    <Link to="/add-hosts" className="badge outdated" data-testid="outdated-badge">
      agent {version}: upgrade
    </Link>
  ) : (
    <span className="badge outdated" data-testid="outdated-badge" title={why}>
      agent {version}
    </span>
  );
}
