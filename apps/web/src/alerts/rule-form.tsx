import {
  visibleText,
  type AlertChannel,
  type AlertRule,
  type AlertRuleInput,
  type AlertRuleKind,
  type AlertSeverity,
} from '@portpressure/protocol';

/** A host the scope picker offers. */
export interface HostChoice {
  id: string;
  hostname: string;
}
import { useState, type FormEvent, type ReactNode } from 'react';
import { labelsText, parseLabels } from './rule-text.ts';

/** Form state as typed: numbers stay text until submitted, in the units people think in. */
interface Draft {
  name: string;
  kind: AlertRuleKind;
  severity: AlertSeverity;
  enabled: boolean;
  hostId: string;
  labels: string;
  channelIds: string[];
  repeatMinutes: string;
  thresholdPercent: string;
  marginPercent: string;
  sustain: string;
  withinMinutes: string;
  windowMinutes: string;
  minSamples: string;
  minPressurePercent: string;
  afterMinutes: string;
}

const round = (n: number, digits = 2): string => String(Math.round(n * 10 ** digits) / 10 ** digits);

function draftOf(rule: AlertRule | null): Draft {
  const d: Draft = {
    name: rule?.name ?? '',
    kind: rule?.kind ?? 'pressure',
    severity: rule?.severity ?? 'warning',
    enabled: rule?.enabled ?? true,
    hostId: rule?.scope.hostId ?? '',
    labels: rule ? labelsText(rule.scope.labels) : '',
    channelIds: rule?.channelIds ?? [],
    repeatMinutes: round((rule?.repeatIntervalSeconds ?? 14_400) / 60),
    thresholdPercent: '80',
    marginPercent: '5',
    sustain: '3',
    withinMinutes: '30',
    windowMinutes: '10',
    minSamples: '5',
    minPressurePercent: '10',
    afterMinutes: '5',
  };
  if (rule?.kind === 'pressure') {
    Object.assign(d, {
      thresholdPercent: round(rule.params.threshold * 100),
      marginPercent: round(rule.params.resolveMargin * 100),
      sustain: String(rule.params.sustainSnapshots),
    });
  } else if (rule?.kind === 'forecast') {
    Object.assign(d, {
      withinMinutes: round(rule.params.withinSeconds / 60),
      windowMinutes: round(rule.params.windowSeconds / 60),
      minSamples: String(rule.params.minSamples),
      minPressurePercent: round(rule.params.minPressure * 100),
      sustain: String(rule.params.sustainSnapshots),
    });
  } else if (rule?.kind === 'offline') {
    d.afterMinutes = round(rule.params.afterSeconds / 60);
  }
  return d;
}

function toInput(d: Draft, previous: AlertRule | null): AlertRuleInput {
  const common = {
    name: d.name,
    severity: d.severity,
    enabled: d.enabled,
    scope: { hostId: d.hostId === '' ? null : d.hostId, labels: parseLabels(d.labels) },
    channelIds: d.channelIds,
    repeatIntervalSeconds: Math.round(Number(d.repeatMinutes) * 60),
  };
  switch (d.kind) {
    case 'pressure':
      return {
        ...common,
        kind: 'pressure',
        params: {
          threshold: Number(d.thresholdPercent) / 100,
          resolveMargin: Number(d.marginPercent) / 100,
          sustainSnapshots: Number(d.sustain),
        },
      };
    case 'forecast':
      return {
        ...common,
        kind: 'forecast',
        params: {
          withinSeconds: Math.round(Number(d.withinMinutes) * 60),
          windowSeconds: Math.round(Number(d.windowMinutes) * 60),
          minSamples: Number(d.minSamples),
          minPressure: Number(d.minPressurePercent) / 100,
          sustainSnapshots: Number(d.sustain),
          // Not in the form: kept from the stored rule, or the protocol's default.
          ...(previous?.kind === 'forecast' ? { resolveMargin: previous.params.resolveMargin } : {}),
        },
      };
    case 'offline':
      return { ...common, kind: 'offline', params: { afterSeconds: Math.round(Number(d.afterMinutes) * 60) } };
  }
}

function Row({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p className="hint">{hint}</p>}
    </>
  );
}

/** Create or edit a rule; the API validates again and its message is shown on failure. */
export function RuleForm({
  rule,
  hosts,
  channels,
  onSave,
  onCancel,
}: {
  rule: AlertRule | null;
  hosts: HostChoice[];
  channels: AlertChannel[];
  onSave: (input: AlertRuleInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState(() => draftOf(rule));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setD((x) => ({ ...x, [key]: value }));
  const num = (key: keyof Draft, id: string, step = 'any') => (
    <input
      id={id}
      type="number"
      min="0"
      step={step}
      required
      value={String(d[key])}
      onChange={(e) => setD((x) => ({ ...x, [key]: e.target.value }))}
    />
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let input: AlertRuleInput;
    try {
      input = toInput(d, rule);
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
      <Row id="rule-name" label="Name">
        <input id="rule-name" required value={d.name} onChange={(e) => set('name')(e.target.value)} />
      </Row>
      <Row id="rule-kind" label="Kind">
        <select id="rule-kind" value={d.kind} onChange={(e) => set('kind')(e.target.value as AlertRuleKind)}>
          <option value="pressure">Pressure above a threshold</option>
          <option value="forecast">Forecast: runs out soon</option>
          <option value="offline">Host stopped reporting</option>
        </select>
      </Row>
      <Row id="rule-severity" label="Severity">
        <select id="rule-severity" value={d.severity} onChange={(e) => set('severity')(e.target.value as AlertSeverity)}>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
      </Row>
      {d.kind === 'pressure' && (
        <>
          <Row id="rule-threshold" label="Threshold (%)" hint="(used − reclaimable) / usable of any tuple">
            {num('thresholdPercent', 'rule-threshold')}
          </Row>
          <Row id="rule-margin" label="Resolve margin (%)" hint="resolves only below threshold − margin, so hovering values do not flap">
            {num('marginPercent', 'rule-margin')}
          </Row>
        </>
      )}
      {d.kind === 'forecast' && (
        <>
          <Row id="rule-within" label="Runs out within (min)">
            {num('withinMinutes', 'rule-within')}
          </Row>
          <Row id="rule-window" label="Trend window (min)" hint="least-squares fit over this much history">
            {num('windowMinutes', 'rule-window')}
          </Row>
          <Row id="rule-samples" label="Minimum samples">
            {num('minSamples', 'rule-samples', '1')}
          </Row>
          <Row id="rule-min-pressure" label="Only tuples from (%)">
            {num('minPressurePercent', 'rule-min-pressure')}
          </Row>
        </>
      )}
      {d.kind !== 'offline' && (
        <Row id="rule-sustain" label="Sustained for (snapshots)">
          {num('sustain', 'rule-sustain', '1')}
        </Row>
      )}
      {d.kind === 'offline' && (
        <Row id="rule-after" label="Silent for (min)">
          {num('afterMinutes', 'rule-after')}
        </Row>
      )}
      <Row id="rule-host" label="Host">
        <select id="rule-host" value={d.hostId} onChange={(e) => set('hostId')(e.target.value)}>
          <option value="">All hosts</option>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {visibleText(h.hostname)}
            </option>
          ))}
        </select>
      </Row>
      <Row id="rule-labels" label="Labels" hint="only hosts with all of these, e.g. env=prod, team=payments">
        <input id="rule-labels" value={d.labels} onChange={(e) => set('labels')(e.target.value)} placeholder="env=prod" />
      </Row>
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
      <Row id="rule-repeat" label="Remind every (min)" hint="while firing and not acknowledged; 0 for never">
        {num('repeatMinutes', 'rule-repeat')}
      </Row>
      <Row id="rule-enabled" label="Enabled">
        <input id="rule-enabled" type="checkbox" checked={d.enabled} onChange={(e) => set('enabled')(e.target.checked)} />
      </Row>
      {problem && (
        <p className="error hint" role="alert">
          {problem}
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {rule ? 'Save' : 'Create rule'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
