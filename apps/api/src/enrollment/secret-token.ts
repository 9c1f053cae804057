import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret: `prefix` and 32 random bytes in base64url (256 bits: never guessable, never brute-forced). */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 (hex) of a secret, which is what the database keeps. A fast hash is enough here: the
 * secrets are random 256-bit values, not passwords, so there is nothing to guess from the hash.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two SHA-256 hex digests in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
