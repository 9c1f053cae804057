import { fleetHostRowSchema, visibleText, type AlertRule, type AlertRuleInput } from '@portpressure/protocol';
import { useState } from 'react';
import { fetchFleet } from '../api.ts';
import { deleteRule, fetchChannels, fetchRuleKinds, fetchRules, saveRule } from './alerts-api.ts';
import { AlertsNav, Notice, SeverityBadge } from './alerts-nav.tsx';
import { RuleForm, type HostChoice } from './rule-form.tsx';
import { channelsText, scopeText } from './rule-text.ts';
import { errorText, usePolled } from './use-polled.ts';
import { RequireRole } from '../session-context.tsx';

type Editing = { rule: AlertRule | null } | null;

/** The rule as the API takes it back, to change one thing (enabled) without a form. */
function inputOf(rule: AlertRule): AlertRuleInput {
  const { id: _id, createdAt: _c, updatedAt: _u, condition: _t, ...input } = rule;
  return input;
}

export function RulesPage() {
  const rules = usePolled((signal) => fetchRules(signal), ['alerts', 'rules'], 30_000);
  const channels = usePolled((signal) => fetchChannels(signal), ['alerts', 'channels'], 30_000);
  // Fixed while the server runs: loaded once, for the form's kind picker and fields.
  const kinds = usePolled((signal) => fetchRuleKinds(signal), ['alerts', 'rule-kinds'], 0);
  // The host picker needs ids and names only: the fleet ranking (kept in memory by the API) rather
  // than GET /api/hosts, which reads every host's full summary (~0.4 s of API time at 10,000 hosts).
  const hosts = usePolled(async (signal) => hostChoices((await fetchFleet(signal)).hosts), ['host-choices'], 60_000);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | null>(null);

  const save = async (id: string | null, input: AlertRuleInput, done: string) => {
    try {
      await saveRule(id, input);
      setNotice({ text: done, kind: 'ok' });
      setEditing(null);
      rules.reload();
    } catch (e) {
      setNotice({ text: errorText(e), kind: 'error' });
    }
  };

  const remove = async (rule: AlertRule) => {
    if (!window.confirm(`Delete the rule "${rule.name}"? Its firing incidents resolve.`)) return;
    try {
      await deleteRule(rule.id);
      setNotice({ text: `Deleted ${rule.name}`, kind: 'ok' });
      rules.reload();
    } catch (e) {
      setNotice({ text: errorText(e), kind: 'error' });
    }
  };

  const hostname = (id: string) => visibleText(hosts.data?.find((h) => h.id === id)?.hostname ?? id);

  return (
    <div className="alerts-page">
      <AlertsNav />
      <div className="toolbar">
        <h1>Rules</h1>
        <RequireRole role="editor">
          <button type="button" className="primary" onClick={() => setEditing({ rule: null })}>
            New rule
          </button>
        </RequireRole>
      </div>
      <Notice text={notice?.text ?? null} kind={notice?.kind ?? 'ok'} />
      <Notice text={rules.error} kind="error" />
      {editing !== null && (
        <RuleForm
          key={editing.rule?.id ?? 'new'}
          rule={editing.rule}
          kinds={kinds.data ?? []}
          hosts={hosts.data ?? []}
          channels={channels.data ?? []}
          onSave={(input) => save(editing.rule?.id ?? null, input, `Saved ${input.name}`)}
          onCancel={() => setEditing(null)}
        />
      )}
      {rules.data?.length === 0 && <p className="muted">No rules: nothing will alert.</p>}
      {rules.data !== null && rules.data.length > 0 && (
        <table className="alerts-table" data-testid="rules">
          <thead>
            <tr>
              <th>On</th>
              <th>Rule</th>
              <th>Severity</th>
              <th>Condition</th>
              <th>Scope</th>
              <th>Notifies</th>
              <th className="actions">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data.map((rule) => (
              <tr key={rule.id} data-testid="rule-row">
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${rule.name} enabled`}
                    checked={rule.enabled}
                    onChange={(e) =>
                      void save(
                        rule.id,
                        { ...inputOf(rule), enabled: e.target.checked },
                        `${rule.name} ${e.target.checked ? 'enabled' : 'disabled'}`,
                      )
                    }
                  />
                </td>
                <td>{rule.name}</td>
                <td>
                  <SeverityBadge severity={rule.severity} />
                </td>
                <td>{rule.condition}</td>
                <td>{scopeText(rule, hostname)}</td>
                <td>
                  {channelsText(rule, channels.data ?? [])}
                  <div className="sub">
                    {rule.repeatIntervalSeconds > 0 ? `reminds every ${Math.round(rule.repeatIntervalSeconds / 60)} min` : 'no reminders'}
                  </div>
                </td>
                <td className="actions">
                  <RequireRole role="editor">
                    <button type="button" onClick={() => setEditing({ rule })}>
                      Edit
                    </button>
                    <button type="button" className="ghost" onClick={() => void remove(rule)}>
                      Delete
                    </button>
                  </RequireRole>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const hostChoiceSchema = fleetHostRowSchema.pick({ id: true, hostname: true });

/** The fleet's hosts by name, for the scope picker (rows that do not match the protocol are left out). */
function hostChoices(rows: unknown[]): HostChoice[] {
  const choices: HostChoice[] = [];
  for (const row of rows) {
    const parsed = hostChoiceSchema.safeParse(row);
    if (parsed.success) choices.push(parsed.data);
  }
  return choices.sort((a, b) => a.hostname.localeCompare(b.hostname));
}
