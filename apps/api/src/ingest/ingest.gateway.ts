import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import {
  AGENT_ERROR_CODES,
  AGENT_WS_PATH,
  ENROLLMENT_TOKEN_HEADER,
  MAX_AGENT_FRAME_BYTES,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_HEADER,
} from '@portpressure/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { AgentConnections } from '../enrollment/agent-connections.ts';
import { EnrollmentService } from '../enrollment/enrollment.service.ts';
import { AgentConnection, type ConnectionAuth } from './agent-connection.ts';
import { IngestService } from './ingest.service.ts';
import { FailureThrottle } from '../security/failure-throttle.ts';
import { TokenBucket } from '@portpressure/domain';

/** Server-side liveness: every connection is pinged this often and dropped if the previous ping went unanswered. */
const HEARTBEAT_MS = 30_000;

type UpgradeDecision = { ok: true; auth: ConnectionAuth } | { ok: false; status: number; message: string; retryAfterSeconds?: number };

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Agent ingest on the API's HTTP port. Credentials (or the enrollment token) and the protocol
 * version are checked in ws's `verifyClient`, before the upgrade completes: a refused agent gets
 * a plain HTTP 401/426 and never a WebSocket. ws itself closes frames over MAX_AGENT_FRAME_BYTES
 * with 1009 without buffering them.
 */
@WebSocketGateway({ path: AGENT_WS_PATH, maxPayload: MAX_AGENT_FRAME_BYTES })
export class IngestGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger('Ingest');
  private readonly live = new Set<AgentConnection>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** What verifyClient decided, handed to handleConnection through the upgrade request. */
  private readonly authByRequest = new WeakMap<IncomingMessage, ConnectionAuth>();
  /** Refused upgrades per client address: a guesser is answered 429 before any lookup. */
  private readonly failures: FailureThrottle;
  /** Enrollments of the whole installation: a leaked token cannot add hundreds of hosts a second. */
  private readonly enrollments: TokenBucket;

  constructor(
    private readonly ingest: IngestService,
    private readonly enrollment: EnrollmentService,
    private readonly connections: AgentConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.failures = new FailureThrottle(config.security.agentUpgradeFailuresPerMinute);
    const perMinute = config.security.enrollPerMinute;
    this.enrollments = new TokenBucket(perMinute / 60, perMinute);
  }

  afterInit(server: WebSocketServer): void {
    this.heartbeat = setInterval(() => {
      for (const connection of this.live) connection.heartbeat();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    // The decorator's options are static; the check needs this instance's services, and ws reads
    // options.verifyClient on every upgrade, so it is installed here.
    server.options.verifyClient = (info, callback) => {
      this.decide(info.req).then(
        (decision) => {
          if (decision.ok) {
            this.authByRequest.set(info.req, decision.auth);
            return callback(true);
          }
          if (decision.status === 401) this.failures.recordFailure(clientAddress(info.req));
          const headers: Record<string, string> = {};
          if (decision.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="portpressure-agent"';
          if (decision.retryAfterSeconds !== undefined) headers['Retry-After'] = String(decision.retryAfterSeconds);
          callback(false, decision.status, decision.message, headers);
        },
        (error: unknown) => {
          this.logger.error(`checking an agent's credential failed: ${String(error)}`);
          callback(false, 503, 'credentials cannot be checked right now; retry later');
        },
      );
    };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const auth = this.authByRequest.get(request);
    if (!auth) {
      // Cannot happen while verifyClient is installed; refuse rather than serve an unauthenticated socket.
      socket.close(AGENT_ERROR_CODES.UNAUTHORIZED, 'not authenticated');
      return;
    }
    const connection = new AgentConnection(socket, auth, {
      ingest: this.ingest,
      connections: this.connections,
      rateLimit: this.config.agentRateLimit,
      bytesPerSecond: this.config.security.agentBytesPerSecond,
      logger: this.logger,
    });
    this.live.add(connection);
    connection.start(() => this.live.delete(connection));
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  private async decide(req: IncomingMessage): Promise<UpgradeDecision> {
    const wait = this.failures.blockedFor(clientAddress(req));
    if (wait > 0) {
      return {
        ok: false,
        status: 429,
        message: `too many refused upgrades from this address; retry in ${wait} s`,
        retryAfterSeconds: wait,
      };
    }
    // Agents never send Origin; browsers always do on a WebSocket upgrade. A page must not be able
    // to make a visitor's browser (inside the fleet's network) talk to the agent endpoint.
    if (header(req, 'origin') !== undefined) return { ok: false, status: 403, message: 'agent connections do not come from web pages' };
    const version = header(req, PROTOCOL_VERSION_HEADER);
    if (version !== undefined) {
      if (!/^[1-9]\d{0,6}$/.test(version))
        return { ok: false, status: 400, message: `${PROTOCOL_VERSION_HEADER} must be a protocol version number` };
      if (Number(version) > PROTOCOL_VERSION) {
        return {
          ok: false,
          status: 426,
          message: `protocol version ${version} is newer than this server's (${PROTOCOL_VERSION}); upgrade the API`,
        };
      }
    }
    const enrollmentToken = header(req, ENROLLMENT_TOKEN_HEADER);
    if (enrollmentToken !== undefined) {
      if (!this.enrollment.isEnrollmentToken(enrollmentToken)) return { ok: false, status: 401, message: 'enrollment token refused' };
      if (!this.enrollments.take()) {
        const perMinute = this.config.security.enrollPerMinute;
        return {
          ok: false,
          status: 429,
          message: `more than ${perMinute} enrollments per minute; retry later`,
          retryAfterSeconds: Math.ceil(60 / perMinute),
        };
      }
      return { ok: true, auth: { kind: 'enroll' } };
    }
    const authorization = header(req, 'authorization');
    const bearer = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer) {
      return {
        ok: false,
        status: 401,
        message: `no credential: send "Authorization: Bearer <host credential>", or ${ENROLLMENT_TOKEN_HEADER} to enroll`,
      };
    }
    const check = await this.enrollment.checkCredential(bearer);
    if (check.ok) return { ok: true, auth: { kind: 'host', host: check.host } };
    const message = {
      malformed: 'credential refused: not a Portpressure host credential',
      unknown: 'credential refused: unknown credential',
      revoked: 'credential refused: it was revoked; enroll the host again',
    }[check.reason];
    return { ok: false, status: 401, message };
  }
}
