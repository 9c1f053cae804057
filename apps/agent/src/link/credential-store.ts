import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { hostCredentialSchema } from '@portpressure/protocol/server-messages';
import * as z from 'zod';

/** What enrollment gave this host. */
export interface StoredCredential {
  hostId: string;
  credential: string;
  /** The API it was issued by, for the operator reading the file; the credential works with any instance of it. */
  serverUrl: string;
  enrolledAt: string;
}

const storedCredentialSchema = z.object({
  hostId: z.string().min(1),
  credential: hostCredentialSchema,
  serverUrl: z.string(),
  enrolledAt: z.string(),
});

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
    const parsed = storedCredentialSchema.safeParse(
      (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (!parsed.success) {
      throw new CredentialStoreError(`${this.file} is not a valid credential file; delete it and enroll again with --enrollment-token`);
    }
    return parsed.data;
  }

  save(credential: StoredCredential): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(credential, null, 2) + '\n');
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
