import type { AlertSeverity } from '@portpressure/protocol';
import { Link, useLocation } from '../router.tsx';
import './alerts.css';

const TABS = [
  { to: '/alerts', label: 'Incidents' },
  { to: '/alerts/rules', label: 'Rules' },
  { to: '/alerts/channels', label: 'Channels' },
  { to: '/alerts/deliveries', label: 'Delivery log' },
];

/** The alert pages' own navigation, under the top bar's "Alerts". */
export function AlertsNav() {
  const { path } = useLocation();
  return (
    <nav className="alerts-nav" aria-label="Alerts">
      {TABS.map((t) => (
        <Link key={t.to} to={t.to} className="nav-link" aria-current={path === t.to ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return <span className={`badge severity ${severity}`}>{severity}</span>;
}

/** A short feedback line after an action, polite for screen readers. */
export function Notice({ text, kind }: { text: string | null; kind: 'ok' | 'error' }) {
  if (text === null) return null;
  return (
    <p className={kind === 'error' ? 'error' : 'notice'} role={kind === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );
}
