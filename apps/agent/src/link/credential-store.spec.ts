import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, CredentialStoreError } from './credential-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function store(): CredentialStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pp-cred-'));
  dirs.push(dir);
  return new CredentialStore(path.join(dir, 'state'));
}
const credential = {
  hostId: '6f1c2a3e-0000-4000-8000-000000000001',
  credential: `ppc_${'A'.repeat(43)}`,
  serverUrl: 'http://api:8080',
  enrolledAt: '2026-11-21T10:00:00.000Z',
};

describe('CredentialStore', () => {
  it('is empty before enrollment and returns what was saved, in a file only its owner can read', () => {
    const s = store();
    expect(s.load()).toBeNull();
    s.save(credential);
    expect(s.load()).toEqual(credential);
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
    expect(statSync(s.dir).mode & 0o777).toBe(0o700);
  });

  it('tightens a credential file that was made readable by others', () => {
    const s = store();
    s.save(credential);
    chmodSync(s.file, 0o644);
    s.load();
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged file with a message saying how to recover', () => {
    const s = store();
    s.save(credential);
    writeFileSync(s.file, '{"hostId":"x","credential":"not-one"}');
    expect(() => s.load()).toThrow(CredentialStoreError);
    expect(() => s.load()).toThrow(/enroll again with --enrollment-token/);
  });
});
