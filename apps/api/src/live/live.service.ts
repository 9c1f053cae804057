import { Injectable } from '@nestjs/common';
import type { FleetWorstNamespaceFigures, HostSummary, LiveMessage } from '@portpressure/protocol';

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

  /** `worstNamespace`: a version 2 host's worst other namespace (null: none); undefined for version 1. */
  publishHost(host: HostSummary, worstNamespace?: FleetWorstNamespaceFigures | null): void {
    this.publish(worstNamespace === undefined ? { type: 'host', host } : { type: 'host', host, worstNamespace });
  }

  publish(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
