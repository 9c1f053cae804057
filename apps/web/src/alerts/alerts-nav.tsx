import type { AlertSeverity } from '@portpressure/protocol';
import { Link, navigate, useLocation } from '../router.tsx';
import { errorText } from './use-polled.ts';
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

export type NoticeState = { text: string; kind: 'ok' | 'error' } | null;

/**
 * Runs `action` and says `done` (text, or text made from the result) in the page's notice, or the
 * error; `after` (closing a form, reloading the list) runs on success.
 */
export async function runWithNotice<T>(
  action: () => Promise<T>,
  done: string | ((result: T) => string),
  setNotice: (notice: NoticeState) => void,
  after: () => void,
): Promise<void> {
  try {
    const result = await action();
    setNotice({ text: typeof done === 'string' ? done : done(result), kind: 'ok' });
    after();
  } catch (e) {
    setNotice({ text: errorText(e), kind: 'error' });
  }
}

/** runWithNotice once the user agreed to `question`. */
export async function confirmThen(
  question: string,
  action: () => Promise<unknown>,
  done: string,
  setNotice: (notice: NoticeState) => void,
  after: () => void,
): Promise<void> {
  if (window.confirm(question)) await runWithNotice(action, done, setNotice, after);
}

/** The "Show" buttons of a list page: each sets `?status=` on `path`. */
export function StatusFilter<V extends string>({
  filters,
  value,
  path,
}: {
  filters: { value: V; label: string }[];
  value: V;
  path: string;
}) {
  return (
    <div className="segmented" role="group" aria-label="Show">
      {filters.map((f) => (
        <button
          key={f.value}
          type="button"
          aria-pressed={value === f.value}
          className={value === f.value ? 'primary' : undefined}
          onClick={() => navigate(`${path}?status=${f.value}`, { replace: true })}
        >
          {f.label}
        </button>
      ))}
    </div>
  );
}
