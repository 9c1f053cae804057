import { CHANNEL_TYPES } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { channelConfigSchema, providerRegistry } from '../../notifications/providers/index.ts';
import { CHANNEL_FIELDS, channelTypes } from './channel-types.ts';

describe('channel types', () => {
  it('lists exactly the providers the server has, under the protocol\'s names', () => {
    expect(providerRegistry.list().map((p) => p.name).sort()).toEqual([...CHANNEL_TYPES].sort());
    expect(channelTypes().map((t) => t.type).sort()).toEqual([...CHANNEL_TYPES].sort());
  });

  it('asks for every setting of each provider schema, and for nothing else', () => {
    for (const option of channelConfigSchema.options) {
      const type = option.shape.type.value;
      const keys = Object.keys(option.shape.settings.shape).sort();
      expect(CHANNEL_FIELDS[type].map((f) => f.key).sort(), type).toEqual(keys);
    }
  });

  it('marks every webhook URL, key, token, password and the signing secret as secret', () => {
    const secretKeys = new Set(['webhookUrl', 'secret', 'routingKey', 'apiKey', 'bearerToken', 'password']);
    let seen = 0;
    for (const fields of Object.values(CHANNEL_FIELDS)) {
      for (const field of fields.filter((f) => secretKeys.has(f.key))) {
        expect(field.secret, field.key).toBe(true);
        seen += 1;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(11);
  });
});
