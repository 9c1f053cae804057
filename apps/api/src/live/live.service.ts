import { Injectable } from '@nestjs/common';
import type { HostSummary, LiveMessage } from '@portpressure/protocol';

type Listener = (message: LiveMessage) => void;

/**
 * In-process fan-out of live updates to browser connections. One API instance for now; with
 * several, this is where Postgres LISTEN/NOTIFY plugs in (see docs/architecture.md).
 */
@Injectable()
export class LiveService {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publishHost(host: HostSummary): void {
    this.publish({ type: 'host', host });
  }

  publish(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
