import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_WORKLOADS,
  HOST_NAMESPACE_ID,
  hostNamespacesQuerySchema,
  namespaceIdSchema,
  offlineAfterSeconds,
  toFleetTuple,
  workloadsQuerySchema,
  type FleetTuple,
  type HostNamespace,
  type HostNamespaces,
  type NamespaceDetail,
  type NamespaceHistory,
  type Workloads,
} from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { HistoryRepository } from '../history/history.repository.ts';
import { HistoryService } from '../history/history.service.ts';
import { adviceFor } from '../history/host-advice.ts';
import { HostsError } from '../hosts/hosts.errors.ts';
import { NamespacesError } from './namespaces.errors.ts';
import { NamespacesRepository, type HostOwnRecord, type NamespaceRecord } from './namespaces.repository.ts';

function toHostNamespace(r: NamespaceRecord): HostNamespace {
  return {
    id: String(r.nsNo),
    inode: r.inode,
    host: false,
    name: r.name,
    pod: r.pod,
    containers: r.containers,
    label: r.label,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    goneAt: r.goneAt?.toISOString() ?? null,
    gone: r.goneAt !== null,
    pressure: r.pressure,
    usable: r.summary.usable,
    tupleCount: r.summary.tupleCount,
    worst: r.summary.worst,
  };
}

function toOwnNamespace(r: HostOwnRecord): HostNamespace {
  const t = r.summary?.worstTuple as (FleetTuple & Record<string, unknown>) | null | undefined;
  return {
    id: HOST_NAMESPACE_ID,
    inode: null,
    host: true,
    name: null,
    pod: null,
    containers: [],
    label: 'host',
    firstSeenAt: r.createdAt.toISOString(),
    lastSeenAt: r.latestTakenAt?.toISOString() ?? null,
    goneAt: null,
    gone: false,
    pressure: r.pressure,
    usable: r.summary?.usable ?? null,
    tupleCount: r.summary?.tupleCount ?? null,
    worst: t ? toFleetTuple(t) : null,
  };
}

/** Worst first; namespaces without a report last; gone ones after every current one, most recently gone first. */
function byPressure(a: HostNamespace, b: HostNamespace): number {
  if (a.gone !== b.gone) return a.gone ? 1 : -1;
  if (a.gone && b.gone) return (b.goneAt ?? '').localeCompare(a.goneAt ?? '');
  return (b.pressure ?? -1) - (a.pressure ?? -1) || (a.host ? -1 : b.host ? 1 : Number(a.id) - Number(b.id));
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || 'query'}: ${issue?.message ?? 'invalid'}`;
}

@Injectable()
export class NamespacesService {
  constructor(
    private readonly repository: NamespacesRepository,
    private readonly history: HistoryService,
    private readonly historyRows: HistoryRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async list(hostId: string, query: unknown, now = new Date()): Promise<HostNamespaces> {
    const parsed = hostNamespacesQuerySchema.safeParse(query ?? {});
    if (!parsed.success) throw new NamespacesError('INVALID_QUERY', firstIssue(parsed.error));
    const [own, others] = await Promise.all([this.hostOwn(hostId), this.repository.ofHost(hostId, parsed.data.gone === 'true')]);
    return {
      hostId,
      serverTime: now.toISOString(),
      namespaces: [toOwnNamespace(own), ...others.map(toHostNamespace)].sort(byPressure),
    };
  }

  async detail(hostId: string, namespaceId: string, now = new Date()): Promise<NamespaceDetail> {
    const { namespace, nsNo } = await this.find(hostId, namespaceId);
    const latest = await this.historyRows.latestSnapshot(hostId, nsNo);
    return {
      hostId,
      namespace,
      latest: latest && { seq: latest.seq, takenAt: latest.takenAt.toISOString(), report: latest.report },
      advice: latest ? adviceFor(latest.report) : [],
      serverTime: now.toISOString(),
    };
  }

  async namespaceHistory(hostId: string, namespaceId: string, query: unknown): Promise<NamespaceHistory> {
    const { namespace, nsNo } = await this.find(hostId, namespaceId);
    return { ...(await this.history.history(hostId, query, new Date(), nsNo)), namespaceId: namespace.id };
  }

  async workloads(query: unknown, now = new Date()): Promise<Workloads> {
    const parsed = workloadsQuerySchema.safeParse(query ?? {});
    if (!parsed.success) throw new NamespacesError('INVALID_QUERY', firstIssue(parsed.error));
    const { total, rows } = await this.repository.workloads(parsed.data.limit ?? DEFAULT_WORKLOADS);
    return {
      serverTime: now.toISOString(),
      offlineAfterSeconds: offlineAfterSeconds(this.config.intervalSeconds),
      total,
      workloads: rows.map((r) => ({ ...toHostNamespace(r), hostId: r.hostId, hostname: r.hostname })),
    };
  }

  private async hostOwn(hostId: string): Promise<HostOwnRecord> {
    const own = await this.repository.hostOwn(hostId);
    if (!own) throw new HostsError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    return own;
  }

  /** The namespace named by `namespaceId` ("host" or a number), or a 400/404 saying why not. */
  private async find(hostId: string, namespaceId: string): Promise<{ namespace: HostNamespace; nsNo: number | undefined }> {
    if (!namespaceIdSchema.safeParse(namespaceId).success) {
      throw new NamespacesError(
        'INVALID_NAMESPACE_ID',
        `"${namespaceId.slice(0, 64)}" is not a namespace id ("host" or a positive number)`,
      );
    }
    if (namespaceId === HOST_NAMESPACE_ID) return { namespace: toOwnNamespace(await this.hostOwn(hostId)), nsNo: undefined };
    const nsNo = Number(namespaceId);
    const [own, record] = await Promise.all([this.repository.hostOwn(hostId), this.repository.one(hostId, nsNo)]);
    if (!own) throw new HostsError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    if (!record) throw new NamespacesError('NAMESPACE_NOT_FOUND', `host ${hostId} has no namespace ${namespaceId}`);
    return { namespace: toHostNamespace(record), nsNo };
  }
}
