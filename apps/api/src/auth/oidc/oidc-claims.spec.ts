import { describe, expect, it } from 'vitest';
import { groupsOf, roleFromGroups, usernameFrom } from './oidc-claims.ts';

describe('single sign-on claims', () => {
  const map = {
    roleMap: [
      { group: 'ops', role: 'editor' as const },
      { group: 'platform-admins', role: 'admin' as const },
      { group: 'everyone', role: 'viewer' as const },
    ],
    defaultRole: 'viewer' as const,
  };

  it('gives the highest role any group maps to, else the default, else refuses', () => {
    expect(roleFromGroups(['everyone', 'platform-admins', 'ops'], map)).toBe('admin');
    expect(roleFromGroups(['ops', 'everyone'], map)).toBe('editor');
    expect(roleFromGroups(['sales'], map)).toBe('viewer');
    expect(roleFromGroups(['sales'], { ...map, defaultRole: 'none' })).toBeNull();
  });

  it('reads groups as an array or a single string', () => {
    expect(groupsOf({ groups: ['a', 3, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ roles: 'ops' }, 'roles')).toEqual(['ops']);
    expect(groupsOf({}, 'groups')).toEqual([]);
  });

  it('derives a valid user name from the configured claim or a fallback', () => {
    expect(usernameFrom({ preferred_username: 'ann smith' }, 'preferred_username')).toBe('ann_smith');
    expect(usernameFrom({ email: 'ann@example.com', sub: 'x' }, 'nickname')).toBe('ann@example.com');
    expect(usernameFrom({ sub: 'abc|123' }, 'preferred_username')).toBe('abc_123');
  });
});
