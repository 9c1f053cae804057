import { Injectable, Logger } from '@nestjs/common';
import type { Snapshot } from '@portpressure/protocol';

/** A snapshot that was just committed for a host. */
export interface StoredSnapshot {
  hostId: string;
  snapshot: Snapshot;
}

export type SnapshotListener = (stored: StoredSnapshot) => Promise<void> | void;

/**
 * Post-commit hook of ingest: features that react to new data (live fan-out, alert evaluation)
 * register here instead of ingest knowing about them. Listeners run after the ack's transaction
 * has committed; a failing listener is logged and never fails ingest.
 */
@Injectable()
export class SnapshotEvents {
  private readonly logger = new Logger('SnapshotEvents');
  private readonly listeners: { name: string; listener: SnapshotListener }[] = [];

  onStored(name: string, listener: SnapshotListener): void {
    this.listeners.push({ name, listener });
  }

  async emitStored(stored: StoredSnapshot): Promise<void> {
    await Promise.all(
      this.listeners.map(async ({ name, listener }) => {
        try {
          await listener(stored);
        } catch (error) {
          this.logger.error(`${name} failed for host ${stored.hostId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
  }
}
