import { HOST_NAMESPACE_ID, visibleText, type HostNamespace } from '@portpressure/protocol';
import { formatDateTime } from '../format.ts';
import { namespaceOptionText } from './host-href.ts';

/**
 * Which network namespace of the host the page shows: the host's own or a pod's, a container's or
 * an `ip netns`, worst first as the API ranks them, then the gone ones (marked, still viewable).
 * Hidden while the host has no namespace but its own.
 */
export function NamespacePicker({
  namespaces,
  value,
  onChange,
}: {
  namespaces: HostNamespace[];
  value: string;
  onChange: (namespaceId: string) => void;
}) {
  const selected = namespaces.find((n) => n.id === value);
  if (namespaces.length <= 1 && value === HOST_NAMESPACE_ID) return null;
  const existing = namespaces.filter((n) => !n.gone);
  const gone = namespaces.filter((n) => n.gone);
  return (
    <div className="namespace-picker">
      <label htmlFor="namespace-picker">Network namespace</label>
      <select id="namespace-picker" data-testid="namespace-picker" value={value} onChange={(e) => onChange(e.target.value)}>
        {!selected && <option value={value}>namespace {value} (unknown)</option>}
        {existing.map((n) => (
          <option key={n.id} value={n.id}>
            {visibleText(namespaceOptionText(n))}
          </option>
        ))}
        {gone.length > 0 && (
          <optgroup label="Gone">
            {gone.map((n) => (
              <option key={n.id} value={n.id}>
                {visibleText(namespaceOptionText(n))}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {selected?.gone && (
        <>
          <span className="badge gone" data-testid="namespace-gone">
            gone
          </span>
          <span className="muted small">
            {selected.goneAt && `since ${formatDateTime(Date.parse(selected.goneAt))}; `}its last report and history stay
          </span>
        </>
      )}
      {selected && selected.containers.length > 0 && (
        <span className="muted small">
          containers: {selected.containers.map((c) => visibleText(c.name ?? c.id.slice(0, 12))).join(', ')}
        </span>
      )}
    </div>
  );
}
