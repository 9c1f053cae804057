import { visibleText } from '@portpressure/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useCan } from '../session-context.tsx';
import { useAction } from '../ui/use-action.ts';
import { fetchHostEgressGroup, setHostEgressGroup } from './destinations-api.ts';

/**
 * A host's egress group on its page: the group in effect, and for editors a form to set one
 * explicitly (it wins over the label) or to follow the label again.
 */
export function EgressGroupControl({ hostId }: { hostId: string }) {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const key = ['destinations', 'host-group', hostId];
  const { data } = useQuery({ queryKey: key, queryFn: ({ signal }) => fetchHostEgressGroup(hostId, signal) });
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const action = useAction();
  const { busy, error } = action;
  if (!data) return null;

  const submit = async (group: string | null) => {
    const done = await action.run(async () => queryClient.setQueryData(key, await setHostEgressGroup(hostId, group)));
    if (!done) return;
    void queryClient.invalidateQueries({ queryKey: ['destinations'] });
    setEditing(false);
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void submit(value.trim());
  };

  return (
    <span className="egress-group-control" data-testid="host-egress-group">
      <span className="label" title={data.explicit === null ? 'from its label' : 'set explicitly'}>
        {data.group === null ? 'no egress group' : `egress group ${visibleText(data.group)}`}
        {data.explicit !== null && ' (set)'}
      </span>
      {canEdit &&
        (editing ? (
          <form className="egress-limit-form" onSubmit={save}>
            <input
              aria-label="Egress group"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              disabled={busy}
              required
              maxLength={256}
            />
            <button type="submit" disabled={busy}>
              Save group
            </button>
            {data.explicit !== null && (
              <button type="button" onClick={() => void submit(null)} disabled={busy}>
                Follow label
              </button>
            )}
            <button type="button" onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="ghost"
            onClick={() => {
              setValue(data.group ?? '');
              setEditing(true);
            }}
          >
            Egress group…
          </button>
        ))}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
