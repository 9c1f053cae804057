import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isHostCredential } from '@portpressure/protocol/agent-checks';

/** What enrollment gave this host. */
export interface StoredCredential {
  hostId: string;
  credential: string;
  /** The API it was issued by, for the operator reading the file; the credential works with any instance of it. */
  serverUrl: string;
  enrolledAt: string;
}

/**
 * The stored credential in `value` (only its four fields), or null when it is not one: a non-empty
 * host id, a host credential (hostCredentialSchema) and two strings. Written out rather than a zod
 * schema (see docs/agent-memory.md); credential-store.spec.ts checks that it agrees with one.
 */
export function parseStoredCredential(value: unknown): StoredCredential | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { hostId, credential, serverUrl, enrolledAt } = value as Record<string, unknown>;
  if (typeof hostId !== 'string' || hostId.length === 0 || !isHostCredential(credential)) return null;
  if (typeof serverUrl !== 'string' || typeof enrolledAt !== 'string') return null;
  return { hostId, credential, serverUrl, enrolledAt };
}

/** Raised when the credential file exists but cannot be used; the message says what to do. */
export class CredentialStoreError extends Error {
  readonly code = 'CREDENTIAL_FILE_INVALID';
}

/**
 * The host's credential in `<stateDir>/credential.json`, readable by the agent's user only (0600
 * in a 0700 folder): whoever reads it can report as this host.
 */
export class CredentialStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'credential.json');
  }

  /** The stored credential, or null before enrollment. */
  load(): StoredCredential | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CredentialStoreError(`cannot read ${this.file}: ${(error as Error).message}`);
    }
    // Someone loosened the permissions: tighten them back rather than keep a secret readable by others.
    if ((statSync(this.file).mode & 0o077) !== 0) chmodSync(this.file, 0o600);
    const parsed = parseStoredCredential(
      (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (parsed === null) {
      throw new CredentialStoreError(`${this.file} is not a valid credential file; delete it and enroll again with --enrollment-token`);
    }
    return parsed;
  }

  save(credential: StoredCredential): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(credential, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  remove(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // not there
    }
  }
}
