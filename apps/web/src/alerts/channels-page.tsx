import type { AlertChannel, AlertChannelInput } from '@portpressure/protocol';
import { useState } from 'react';
import { deleteChannel, fetchChannels, fetchChannelTypes, saveChannel, testChannel } from './alerts-api.ts';
import { AlertsNav, confirmThen, Notice, runWithNotice, type NoticeState } from './alerts-nav.tsx';
import { ChannelForm } from './channel-form.tsx';
import { errorText, usePolled } from './use-polled.ts';
import { NewItemButton } from '../ui/form-buttons.tsx';
import { DataTable, EditDeleteCell } from '../ui/data-table.tsx';

type Editing = { channel: AlertChannel | null } | null;

export function ChannelsPage() {
  const channels = usePolled((signal) => fetchChannels(signal), ['alerts', 'channels'], 30_000);
  const types = usePolled((signal) => fetchChannelTypes(signal), ['alerts', 'channel-types'], 600_000);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<NoticeState>(null);
  const [testing, setTesting] = useState<string | null>(null);

  const save = (input: AlertChannelInput) =>
    runWithNotice(
      () => saveChannel(editing?.channel?.id ?? null, input),
      (saved) => `Saved ${saved.name}`,
      setNotice,
      () => {
        setEditing(null);
        channels.reload();
      },
    );

  const sendTest = async (c: AlertChannel) => {
    setTesting(c.id);
    try {
      const d = await testChannel(c.id);
      const status = d.attemptLog[0]?.httpStatus;
      setNotice(
        d.status === 'delivered'
          ? { text: `Test message delivered to ${c.name}${status ? ` (HTTP ${status})` : ''}`, kind: 'ok' }
          : { text: `Test message to ${c.name} failed: ${d.lastError ?? 'unknown error'}`, kind: 'error' },
      );
    } catch (e) {
      setNotice({ text: errorText(e), kind: 'error' });
    } finally {
      setTesting(null);
    }
  };

  const remove = (c: AlertChannel) =>
    confirmThen(`Delete ${c.name} and its delivery log?`, () => deleteChannel(c.id), `Deleted ${c.name}`, setNotice, channels.reload);

  const typeName = (type: string) => types.data?.find((t) => t.type === type)?.displayName ?? type;

  return (
    <div className="alerts-page">
      <AlertsNav />
      <div className="toolbar">
        <h1>Channels</h1>
        <NewItemButton label="New channel" onClick={() => setEditing({ channel: null })} disabled={types.data === null} />
      </div>
      <Notice text={notice?.text ?? null} kind={notice?.kind ?? 'ok'} />
      <Notice text={channels.error ?? types.error} kind="error" />
      {editing !== null && types.data !== null && (
        <ChannelForm
          key={editing.channel?.id ?? 'new'}
          types={types.data}
          channel={editing.channel}
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}
      <DataTable
        testId="channels"
        columns={['Name', 'Service', 'Webhook', 'State']}
        actions
        rows={channels.data}
        empty={
          editing === null && (
            <p className="muted">
              No channels yet: create one to get alerts in Slack, Discord, Teams, Mattermost, Google Chat or any webhook.
            </p>
          )
        }
        row={(c) => (
          <tr key={c.id} data-testid="channel-row">
            <td>{c.name}</td>
            <td>{typeName(c.type)}</td>
            <td className="mono">
              {String(
                c.settings.webhookUrl ??
                  c.settings.eventsUrl ??
                  c.settings.apiUrl ??
                  (c.settings.host === undefined ? '' : `smtp://${String(c.settings.host)}`),
              )}
            </td>
            <td>
              {c.enabled ? <span className="badge status-delivered">enabled</span> : <span className="badge muted-badge">disabled</span>}
            </td>
            <EditDeleteCell onEdit={() => setEditing({ channel: c })} onDelete={() => void remove(c)}>
              <button type="button" onClick={() => void sendTest(c)} disabled={testing === c.id}>
                {testing === c.id ? 'Sending…' : 'Send test'}
              </button>
            </EditDeleteCell>
          </tr>
        )}
      />
    </div>
  );
}
