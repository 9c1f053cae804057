import { describe, expect, it } from 'vitest';
import { roleAtLeast } from '@portpressure/protocol';
import { requiredRole } from './roles.guard.ts';

describe('requiredRole', () => {
  it('asks viewer for reads and editor for every other method unless the route says otherwise', () => {
    expect(requiredRole(undefined, 'GET')).toBe('viewer');
    expect(requiredRole(undefined, 'head')).toBe('viewer');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(requiredRole(undefined, method)).toBe('editor');
    expect(requiredRole('admin', 'GET')).toBe('admin');
    expect(requiredRole('viewer', 'POST')).toBe('viewer');
  });

  it('orders roles viewer < editor < admin', () => {
    expect(roleAtLeast('admin', 'editor')).toBe(true);
    expect(roleAtLeast('editor', 'editor')).toBe(true);
    expect(roleAtLeast('editor', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'editor')).toBe(false);
  });
});
