import { Injectable } from '@nestjs/common';

/** How a registered connection is ended: a WebSocket close code and reason. */
export type CloseConnection = (code: number, reason: string) => void;

/**
 * The agent connections this API instance is serving, by host. Lets revocation end a host's live
 * connections at once, and a new hello replace an older connection of the same host, so that one
 * host never has two writers. (With several API instances, a revoked host's connection on another
 * instance ends when it reconnects: its credential is checked on every upgrade.)
 */
@Injectable()
export class AgentConnections {
  private readonly byHost = new Map<string, Set<CloseConnection>>();

  /** Registers a connection; returns the function that unregisters it (call it on close). */
  add(hostId: string, close: CloseConnection): () => void {
    let set = this.byHost.get(hostId);
    if (!set) this.byHost.set(hostId, (set = new Set()));
    set.add(close);
    return () => {
      set.delete(close);
      if (set.size === 0 && this.byHost.get(hostId) === set) this.byHost.delete(hostId);
    };
  }

  /** Closes every registered connection of the host except `keep`; returns how many were closed. */
  closeHost(hostId: string, code: number, reason: string, keep?: CloseConnection): number {
    const set = this.byHost.get(hostId);
    if (!set) return 0;
    let closed = 0;
    for (const close of [...set]) {
      if (close === keep) continue;
      set.delete(close);
      close(code, reason);
      closed += 1;
    }
    return closed;
  }

  /** Agent connections open on this instance, all hosts together. */
  total(): number {
    let n = 0;
    for (const set of this.byHost.values()) n += set.size;
    return n;
  }

  count(hostId: string): number {
    return this.byHost.get(hostId)?.size ?? 0;
  }
}
