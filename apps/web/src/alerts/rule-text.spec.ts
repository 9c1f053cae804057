import { describe, expect, it } from 'vitest';
import { anAlertRule } from '../../../../packages/protocol/src/test-factories.ts';
import { channelsText, parseLabels, scopeText } from './rule-text.ts';

describe('rule texts', () => {
  it('parses labels typed as key=value pairs, and refuses a pair without "="', () => {
    expect(parseLabels(' env=prod, team = payments ,')).toEqual({ env: 'prod', team: 'payments' });
    expect(() => parseLabels('env')).toThrow(/key=value/);
  });

  it('names the scope and the channels', () => {
    const rule = anAlertRule({ scope: { hostId: 'h1', labels: { env: 'prod' } }, channelIds: ['c1', 'c2'] });
    expect(scopeText(rule, (id) => (id === 'h1' ? 'web-1' : id))).toBe('host web-1 and env=prod');
    expect(
      channelsText(rule, [{ id: 'c1', name: 'On-call', type: 'slack', enabled: true, settings: {}, createdAt: '', updatedAt: '' }]),
    ).toBe('On-call, deleted channel');
    expect(channelsText({ ...rule, channelIds: [] }, [])).toBe('every enabled channel');
  });
});
