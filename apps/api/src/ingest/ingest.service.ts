import { Inject, Injectable } from '@nestjs/common';
import { PROTOCOL_VERSION, type Hello, type Snapshot, type Welcome } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { HostsService } from '../hosts/hosts.service.ts';
import { summaryFromReport } from '../hosts/host-summary.ts';
import { LiveService } from '../live/live.service.ts';
import { IngestError } from './ingest.errors.ts';
import { IngestRepository } from './ingest.repository.ts';
import { SnapshotEvents } from './snapshot-events.ts';

export interface AgentSession {
  hostId: string;
}

@Injectable()
export class IngestService {
  constructor(
    @Inject(IngestRepository) private readonly repository: IngestRepository,
    @Inject(HostsService) private readonly hosts: HostsService,
    @Inject(LiveService) private readonly live: LiveService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(SnapshotEvents) private readonly events: SnapshotEvents,
  ) {}

  async hello(hello: Hello): Promise<{ session: AgentSession; welcome: Welcome }> {
    if (hello.protocolVersion > PROTOCOL_VERSION) {
      throw new IngestError(
        'UNSUPPORTED_VERSION',
        `protocol version ${hello.protocolVersion} is newer than this server's (${PROTOCOL_VERSION}); upgrade the API`,
        true,
      );
    }
    const host = await this.repository.upsertHost(hello.host, hello.agentVersion);
    return {
      session: { hostId: host.id },
      welcome: { type: 'welcome', hostId: host.id, lastSeq: host.lastSeq, intervalSeconds: this.config.intervalSeconds },
    };
  }

  /** Stores a snapshot (once, whatever how often it is sent) and tells browsers. Resolves after commit. */
  async ingest(session: AgentSession, snapshot: Snapshot): Promise<void> {
    const stored = await this.repository.storeSnapshot(session.hostId, snapshot, summaryFromReport(snapshot.report));
    if (!stored) return;
    if (this.live.subscriberCount > 0) this.live.publishHost(await this.hosts.get(session.hostId));
    await this.events.emitStored({ hostId: session.hostId, snapshot });
  }
}
