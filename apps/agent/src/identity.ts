import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { HostIdentity, Labels } from '@portpressure/protocol';

/**
 * The host's stable identity: /etc/machine-id (or the D-Bus copy) plus hostname. Without either
 * file, a hash of the hostname keeps the identity stable across restarts.
 */
export async function readHostIdentity(labels: Labels): Promise<HostIdentity> {
  const hostname = os.hostname();
  let machineId: string | undefined;
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const id = text.trim();
    if (/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      machineId = id;
      break;
    }
  }
  machineId ??= `host-${createHash('sha256').update(hostname).digest('hex').slice(0, 32)}`;
  return { machineId, hostname, labels };
}
