import type { AlertChannel, AlertChannelInput, ChannelType, ChannelTypeInfo } from '@portpressure/protocol';
import { useState, type FormEvent } from 'react';
import { FormButtons } from '../ui/form-buttons.tsx';
import { FormRow } from '../ui/form-row.tsx';

type SettingValue = string | boolean | number;

function initialSettings(info: ChannelTypeInfo | undefined, channel: AlertChannel | null): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const f of info?.fields ?? []) {
    const stored = channel?.type === info?.type ? channel?.settings[f.key] : undefined;
    out[f.key] = stored ?? (f.input === 'boolean' ? true : f.input === 'select' ? (f.options?.[0] ?? '') : '');
  }
  return out;
}

/**
 * Create or edit a channel. The fields come from the API's channel types; secrets arrive masked
 * and are sent back masked when left alone, which tells the API to keep the stored ones.
 */
export function ChannelForm({
  types,
  channel,
  onSave,
  onCancel,
}: {
  types: ChannelTypeInfo[];
  channel: AlertChannel | null;
  onSave: (input: AlertChannelInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [type, setType] = useState<ChannelType>(channel?.type ?? types[0]?.type ?? 'slack');
  const info = types.find((t) => t.type === type);
  const [name, setName] = useState(channel?.name ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [settings, setSettings] = useState(() => initialSettings(info, channel));
  const [busy, setBusy] = useState(false);

  const changeType = (next: ChannelType) => {
    setType(next);
    setSettings(
      initialSettings(
        types.find((t) => t.type === next),
        channel,
      ),
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void onSave({ name, type, enabled, settings }).finally(() => setBusy(false));
  };

  return (
    <form className="card alert-form" onSubmit={submit} aria-label={channel ? `Edit ${channel.name}` : 'New channel'}>
      <h2>{channel ? `Edit ${channel.name}` : 'New channel'}</h2>
      <label htmlFor="channel-name">Name</label>
      <input id="channel-name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="on-call" />
      <label htmlFor="channel-type">Service</label>
      <select id="channel-type" value={type} onChange={(e) => changeType(e.target.value as ChannelType)}>
        {types.map((t) => (
          <option key={t.type} value={t.type}>
            {t.displayName}
          </option>
        ))}
      </select>
      {info?.fields.map((f) => {
        const id = `channel-${f.key}`;
        const value = settings[f.key];
        const set = (v: SettingValue) => setSettings((s) => ({ ...s, [f.key]: v }));
        return (
          <FormRow key={f.key} id={id} label={f.label} hint={f.help}>
            {f.input === 'boolean' ? (
              <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} />
            ) : f.input === 'select' ? (
              <select id={id} value={String(value ?? '')} onChange={(e) => set(e.target.value)}>
                {(f.options ?? []).map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                type={f.input === 'secret' ? 'password' : f.input === 'url' ? 'url' : 'text'}
                required={f.required}
                autoComplete="off"
                value={String(value ?? '')}
                onChange={(e) => set(e.target.value)}
              />
            )}
          </FormRow>
        );
      })}
      <label htmlFor="channel-enabled">Enabled</label>
      <input id="channel-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
      <FormButtons submit={channel ? 'Save' : 'Create channel'} busy={busy} onCancel={onCancel} />
    </form>
  );
}
