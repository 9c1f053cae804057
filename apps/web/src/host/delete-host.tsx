import { useState } from 'react';
import { deleteHost } from '../api.ts';
import { forgetHost } from '../fleet-store.ts';
import { navigate } from '../router.tsx';

/**
 * "Delete host…": a destructive action that cannot be undone, so it asks for the hostname to be
 * typed before the button arms, says what goes with it, and stays on the page with the server's
 * message if the delete fails.
 */
export function DeleteHost({ id, hostname }: { id: string; hostname: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!open) {
    return (
      <button type="button" className="ghost danger-text" onClick={() => setOpen(true)} data-testid="delete-host">
        Delete host…
      </button>
    );
  }
  const confirmed = typed.trim() === hostname;
  return (
    <form
      className="card delete-host"
      role="alertdialog"
      aria-labelledby="delete-host-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!confirmed || busy) return;
        setBusy(true);
        setError(null);
        deleteHost(id).then(
          () => {
            forgetHost(id);
            navigate('/', { replace: true });
          },
          (err: unknown) => {
            setBusy(false);
            setError(err instanceof Error ? err.message : String(err));
          },
        );
      }}
    >
      <h2 id="delete-host-title">Delete {hostname}?</h2>
      <p>
        Its whole history, incidents and agent credential are deleted now; this cannot be undone. Its agent is disconnected and would have
        to enroll again, as a new host.
      </p>
      <label>
        Type <strong>{hostname}</strong> to confirm
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus data-testid="delete-host-confirm-name" />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="danger" disabled={!confirmed || busy} data-testid="delete-host-confirm">
          {busy ? 'Deleting…' : 'Delete host and history'}
        </button>
        <button type="button" className="ghost" onClick={() => (setOpen(false), setTyped(''), setError(null))}>
          Cancel
        </button>
      </div>
    </form>
  );
}
