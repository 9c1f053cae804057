import { hostSequenceResetSchema } from '@portpressure/protocol';
import { useState } from 'react';
import { request } from '../api.ts';

/**
 * "Reset sequence…": for a host whose agent cannot store any more because the server's last
 * sequence number for it is out of reach (numbering poisoned, or a state folder restored from
 * elsewhere). Asks for confirmation, says what it does (history is kept), and shows the outcome.
 */
export function ResetSequence({ id, hostname }: { id: string; hostname: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const reset = () => {
    if (busy) return;
    const sure = window.confirm(
      `Reset the sequence numbering of ${hostname}? Its agent reconnects and its snapshots are stored again from its own ` +
        'numbering (or from 1 with a fresh state folder). The history stored so far is kept.',
    );
    if (!sure) return;
    setBusy(true);
    setOutcome(null);
    request(`/api/hosts/${encodeURIComponent(id)}/sequence-reset`, (b) => hostSequenceResetSchema.parse(b), { method: 'POST' }).then(
      (r) => {
        setBusy(false);
        setOutcome({ ok: true, text: `Sequence reset (it was at ${r.previousLastSeq}).` });
      },
      (err: unknown) => {
        setBusy(false);
        setOutcome({ ok: false, text: err instanceof Error ? err.message : String(err) });
      },
    );
  };

  return (
    <>
      <button type="button" className="ghost" onClick={reset} disabled={busy} data-testid="reset-sequence">
        Reset sequence…
      </button>
      {outcome && (
        <span className={outcome.ok ? 'muted' : 'error'} role={outcome.ok ? 'status' : 'alert'} data-testid="reset-sequence-outcome">
          {outcome.text}
        </span>
      )}
    </>
  );
}
