import {
  visibleText,
  type AlertChannel,
  type AlertRule,
  type AlertRuleField,
  type AlertRuleInput,
  type AlertRuleKindInfo,
  type AlertSeverity,
} from '@portpressure/protocol';

/** A host the scope picker offers. */
export interface HostChoice {
  id: string;
  hostname: string;
}
import { useState, type FormEvent } from 'react';
import { labelsText, parseLabels } from './rule-text.ts';
import { FormButtons } from '../ui/form-buttons.tsx';
import { FormRow } from '../ui/form-row.tsx';

/** Form state as typed: numbers stay text until submitted, in the units people think in. */
interface Draft {
  name: string;
  kind: string;
  severity: AlertSeverity;
  enabled: boolean;
  hostId: string;
  labels: string;
  channelIds: string[];
  repeatMinutes: string;
  /** The kind's fields by key, as typed. */
  params: Record<string, string>;
}

const round = (n: number, digits = 2): string => String(Math.round(n * 10 ** digits) / 10 ** digits);

/** A stored value as the form shows it: ratios in percent, seconds in minutes. */
function shown(field: AlertRuleField, value: number): string {
  if (field.unit === 'percent') return round(value * 100);
  if (field.unit === 'minutes') return round(value / 60);
  return String(value);
}

/** What the user typed, in the stored unit. */
function stored(field: AlertRuleField, text: string): number {
  const n = Number(text);
  if (field.unit === 'percent') return n / 100;
  if (field.unit === 'minutes') return Math.round(n * 60);
  return n;
}

/** The kind's fields as typed: the rule's own values when it is of that kind, else the defaults. */
function paramsDraft(info: AlertRuleKindInfo | undefined, rule: AlertRule | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of info?.fields ?? []) {
    const value = rule?.kind === info?.kind ? rule?.params[field.key] : undefined;
    out[field.key] = shown(field, typeof value === 'number' ? value : field.default);
  }
  return out;
}

function draftOf(rule: AlertRule | null, kinds: AlertRuleKindInfo[]): Draft {
  const kind = rule?.kind ?? kinds[0]?.kind ?? 'pressure';
  return {
    name: rule?.name ?? '',
    kind,
    severity: rule?.severity ?? 'warning',
    enabled: rule?.enabled ?? true,
    hostId: rule?.scope.hostId ?? '',
    labels: rule ? labelsText(rule.scope.labels) : '',
    channelIds: rule?.channelIds ?? [],
    repeatMinutes: round((rule?.repeatIntervalSeconds ?? 14_400) / 60),
    params: paramsDraft(
      kinds.find((k) => k.kind === kind),
      rule,
    ),
  };
}

function toInput(d: Draft, info: AlertRuleKindInfo | undefined, previous: AlertRule | null): AlertRuleInput {
  // Settings the form does not show are kept from the stored rule (or left to the kind's default).
  const params: Record<string, unknown> = previous?.kind === d.kind ? { ...previous.params } : {};
  for (const field of info?.fields ?? []) params[field.key] = stored(field, d.params[field.key] ?? '');
  return {
    name: d.name,
    kind: d.kind,
    severity: d.severity,
    enabled: d.enabled,
    scope: { hostId: d.hostId === '' ? null : d.hostId, labels: parseLabels(d.labels) },
    channelIds: d.channelIds,
    repeatIntervalSeconds: Math.round(Number(d.repeatMinutes) * 60),
    params,
  };
}

/** Create or edit a rule; the API validates again and its message is shown on failure. */
export function RuleForm({
  rule,
  kinds,
  hosts,
  channels,
  onSave,
  onCancel,
}: {
  rule: AlertRule | null;
  /** The kinds the server evaluates, each with its fields (`GET /api/alerts/rule-kinds`). */
  kinds: AlertRuleKindInfo[];
  hosts: HostChoice[];
  channels: AlertChannel[];
  onSave: (input: AlertRuleInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState(() => draftOf(rule, kinds));
  const info = kinds.find((k) => k.kind === d.kind);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setD((x) => ({ ...x, [key]: value }));
  const num = (id: string, value: string, onChange: (value: string) => void, step = 'any') => (
    <input id={id} type="number" min="0" step={step} required value={value} onChange={(e) => onChange(e.target.value)} />
  );
  const changeKind = (kind: string) =>
    setD((x) => ({
      ...x,
      kind,
      params: paramsDraft(
        kinds.find((k) => k.kind === kind),
        rule,
      ),
    }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let input: AlertRuleInput;
    try {
      input = toInput(d, info, rule);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
      return;
    }
    setProblem(null);
    setBusy(true);
    void onSave(input).finally(() => setBusy(false));
  };

  return (
    <form className="card alert-form" onSubmit={submit} aria-label={rule ? `Edit ${rule.name}` : 'New rule'}>
      <h2>{rule ? `Edit ${rule.name}` : 'New rule'}</h2>
      <FormRow id="rule-name" label="Name">
        <input id="rule-name" required value={d.name} onChange={(e) => set('name')(e.target.value)} />
      </FormRow>
      <FormRow id="rule-kind" label="Kind">
        <select id="rule-kind" value={d.kind} onChange={(e) => changeKind(e.target.value)}>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.displayName}
            </option>
          ))}
        </select>
      </FormRow>
      <FormRow id="rule-severity" label="Severity">
        <select id="rule-severity" value={d.severity} onChange={(e) => set('severity')(e.target.value as AlertSeverity)}>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
      </FormRow>
      {info?.fields.map((field) => (
        <FormRow key={field.key} id={`rule-${field.key}`} label={field.label} hint={field.hint}>
          {num(
            `rule-${field.key}`,
            d.params[field.key] ?? '',
            (value) => setD((x) => ({ ...x, params: { ...x.params, [field.key]: value } })),
            field.unit === 'count' ? '1' : 'any',
          )}
        </FormRow>
      ))}
      <FormRow id="rule-host" label="Host">
        <select id="rule-host" value={d.hostId} onChange={(e) => set('hostId')(e.target.value)}>
          <option value="">All hosts</option>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {visibleText(h.hostname)}
            </option>
          ))}
        </select>
      </FormRow>
      <FormRow id="rule-labels" label="Labels" hint="only hosts with all of these, e.g. env=prod, team=payments">
        <input id="rule-labels" value={d.labels} onChange={(e) => set('labels')(e.target.value)} placeholder="env=prod" />
      </FormRow>
      <span className="label-like">
        <strong>Channels</strong>
      </span>
      <div className="checks" role="group" aria-label="Channels">
        {channels.length === 0 && <span className="muted">no channels yet</span>}
        {channels.map((c) => (
          <label key={c.id}>
            <input
              type="checkbox"
              checked={d.channelIds.includes(c.id)}
              onChange={(e) => set('channelIds')(e.target.checked ? [...d.channelIds, c.id] : d.channelIds.filter((x) => x !== c.id))}
            />{' '}
            {c.name}
          </label>
        ))}
      </div>
      <p className="hint">none ticked: every enabled channel</p>
      <FormRow id="rule-repeat" label="Remind every (min)" hint="while firing and not acknowledged; 0 for never">
        {num('rule-repeat', d.repeatMinutes, set('repeatMinutes'))}
      </FormRow>
      <FormRow id="rule-enabled" label="Enabled">
        <input id="rule-enabled" type="checkbox" checked={d.enabled} onChange={(e) => set('enabled')(e.target.checked)} />
      </FormRow>
      {problem && (
        <p className="error hint" role="alert">
          {problem}
        </p>
      )}
      <FormButtons submit={rule ? 'Save' : 'Create rule'} busy={busy} onCancel={onCancel} />
    </form>
  );
}
