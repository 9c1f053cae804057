import {
  auditEventListSchema,
  authMethodsSchema,
  userListSchema,
  userSchema,
  type AuditEventList,
  type AuthMethods,
  type Role,
  type User,
} from '@portpressure/protocol';
import { json, request } from '../api.ts';

export async function fetchUsers(signal?: AbortSignal): Promise<User[]> {
  return (await request('/api/users', (b) => userListSchema.parse(b), { signal })).users;
}

export const createUser = (username: string, role: Role, password: string): Promise<User> =>
  request('/api/users', (b) => userSchema.parse(b), json('POST', { username, role, password }));

export const changeRole = (id: string, role: Role): Promise<User> =>
  request(`/api/users/${id}`, (b) => userSchema.parse(b), json('PATCH', { role }));

export const resetPassword = (id: string, password: string): Promise<User> =>
  request(`/api/users/${id}/password`, (b) => userSchema.parse(b), json('POST', { password }));

export const endSessions = (id: string): Promise<User> => request(`/api/users/${id}/sessions`, (b) => userSchema.parse(b), json('DELETE'));

export async function deleteUser(id: string): Promise<void> {
  await request(`/api/users/${id}`, () => undefined, json('DELETE')).catch((e: unknown) => {
    // 204 has no JSON to parse; anything else is a real error
    if (e instanceof SyntaxError) return;
    throw e;
  });
}

export const fetchAudit = (query: string, signal?: AbortSignal): Promise<AuditEventList> =>
  request(`/api/audit?${query}`, (b) => auditEventListSchema.parse(b), { signal });

export const fetchAuthMethods = (): Promise<AuthMethods> => request('/api/auth/methods', (b) => authMethodsSchema.parse(b));
