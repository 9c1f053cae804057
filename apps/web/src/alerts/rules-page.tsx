import { fleetHostRowSchema, visibleText, type AlertRule, type AlertRuleInput } from '@portpressure/protocol';
import { useState } from 'react';
import { fetchFleet } from '../api.ts';
import { deleteRule, fetchChannels, fetchRuleKinds, fetchRules, saveRule } from './alerts-api.ts';
import { AlertsNav, confirmThen, Notice, runWithNotice, SeverityBadge, type NoticeState } from './alerts-nav.tsx';
import { RuleForm, type HostChoice } from './rule-form.tsx';
import { channelsText, scopeText } from './rule-text.ts';
import { usePolled } from './use-polled.ts';
import { NewItemButton } from '../ui/form-buttons.tsx';
import { DataTable, EditDeleteCell } from '../ui/data-table.tsx';

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
  // The host picker needs ids and names only: the fleet ranking, kept in memory by the API.
  const hosts = usePolled(async (signal) => hostChoices((await fetchFleet(signal)).hosts), ['host-choices'], 60_000);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<NoticeState>(null);

  const save = (id: string | null, input: AlertRuleInput, done: string) =>
    runWithNotice(
      () => saveRule(id, input),
      done,
      setNotice,
      () => {
        setEditing(null);
        rules.reload();
      },
    );

  const remove = (rule: AlertRule) =>
    confirmThen(
      `Delete the rule "${rule.name}"? Its firing incidents resolve.`,
      () => deleteRule(rule.id),
      `Deleted ${rule.name}`,
      setNotice,
      rules.reload,
    );

  const hostname = (id: string) => visibleText(hosts.data?.find((h) => h.id === id)?.hostname ?? id);

  return (
    <div className="alerts-page">
      <AlertsNav />
      <div className="toolbar">
        <h1>Rules</h1>
        <NewItemButton label="New rule" onClick={() => setEditing({ rule: null })} />
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
      <DataTable
        testId="rules"
        columns={['On', 'Rule', 'Severity', 'Condition', 'Scope', 'Notifies']}
        actions
        rows={rules.data}
        empty={<p className="muted">No rules: nothing will alert.</p>}
        row={(rule) => (
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
            <EditDeleteCell onEdit={() => setEditing({ rule })} onDelete={() => void remove(rule)} />
          </tr>
        )}
      />
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
