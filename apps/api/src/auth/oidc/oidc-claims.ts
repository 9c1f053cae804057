import type { Role } from '@portpressure/protocol';
import { ROLE_ORDER } from '@portpressure/protocol';
import type { OidcConfig } from '../../config/team-config.ts';

/** The groups of a claims set: an array of strings, or one string (some providers send that). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * The role single sign-on gives: the highest role any of the user's groups maps to, else the
 * default; null when the default is `none` and no group maps (the sign-in is refused).
 */
export function roleFromGroups(groups: string[], config: Pick<OidcConfig, 'roleMap' | 'defaultRole'>): Role | null {
  let best: Role | null = null;
  for (const { group, role } of config.roleMap) {
    if (groups.includes(group) && (best === null || ROLE_ORDER.indexOf(role) > ROLE_ORDER.indexOf(best))) best = role;
  }
  if (best !== null) return best;
  return config.defaultRole === 'none' ? null : config.defaultRole;
}

/** A user name from the claims that fits the users table's rules (letters, digits, . _ @ + -). */
export function usernameFrom(claims: Record<string, unknown>, usernameClaim: string): string {
  for (const key of [usernameClaim, 'preferred_username', 'email', 'sub']) {
    const value = claims[key];
    if (typeof value !== 'string') continue;
    const cleaned = value.replace(/[^\w.@+-]/g, '_').slice(0, 56);
    if (cleaned !== '') return cleaned;
  }
  return 'sso-user';
}
