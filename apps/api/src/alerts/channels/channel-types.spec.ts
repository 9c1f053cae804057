import { describe, expect, it } from 'vitest';
import { channelTypes } from './channel-types.ts';

describe('channel types', () => {
  it('marks every webhook URL, key, token, password and the signing secret as secret', () => {
    const secretKeys = new Set(['webhookUrl', 'secret', 'routingKey', 'apiKey', 'bearerToken', 'password', 'botToken']);
    let seen = 0;
    for (const { type, fields } of channelTypes()) {
      for (const field of fields.filter((f) => secretKeys.has(f.key))) {
        expect(field.secret, `${type}.${field.key}`).toBe(true);
        seen += 1;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(11);
  });

  it("serves each provider's form in its file's order, keyed by its setting names", () => {
    const discord = channelTypes().find((t) => t.type === 'discord');
    expect(discord?.fields.map((f) => f.key)).toEqual(['webhookUrl', 'username', 'avatarUrl']);
  });
});
