import { Controller, Get, HttpCode, type OnApplicationShutdown, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.ts';
import { readMigrations } from '../database/migrator.ts';
import { HealthRepository } from './health.repository.ts';

/** A database that does not answer within this long counts as unreachable (a probe must not hang). */
const DB_TIMEOUT_MS = 2000;

type CheckResult = 'ok' | string;

export interface Readiness {
  status: 'ready' | 'not ready';
  checks: { database: CheckResult; migrations: CheckResult; ingest: CheckResult };
}

const READINESS_SCHEMA = {
  type: 'object',
  properties: {
    status: { enum: ['ready', 'not ready'] },
    checks: {
      type: 'object',
      description: '"ok", or why the check fails',
      properties: { database: { type: 'string' }, migrations: { type: 'string' }, ingest: { type: 'string' } },
      required: ['database', 'migrations', 'ingest'],
    },
  },
  required: ['status', 'checks'],
};

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Probes for orchestrators and load balancers, outside /api and without sign-in:
 * /healthz says the process serves HTTP (restart it if not); /readyz says this instance can do
 * its job now (send it traffic): PostgreSQL answers, every migration of this build is applied,
 * and it is not shutting down. Neither restarts anything: /readyz recovers by itself.
 */
@ApiTags('operations')
@Controller()
export class ProbesController implements OnApplicationShutdown {
  private stopping = false;
  private expected: Promise<string[]> | undefined;

  constructor(private readonly health: HealthRepository) {}

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  @Get('healthz')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness: the process answers HTTP',
    description: 'Checks nothing else, so a database outage never gets the API restarted.',
  })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { enum: ['ok'] } }, required: ['status'] } })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  @ApiOperation({ summary: 'Readiness: database reachable, migrations applied, ready to ingest' })
  @ApiOkResponse({ description: 'Ready: every check is "ok"', schema: READINESS_SCHEMA })
  @ApiResponse({ status: 503, description: 'Not ready: the failing checks say why', schema: READINESS_SCHEMA })
  async readyz(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const readiness = await this.check();
    res.status(readiness.status === 'ready' ? 200 : 503);
    res.setHeader('Cache-Control', 'no-store');
    return readiness;
  }

  async check(): Promise<Readiness> {
    const checks: Readiness['checks'] = { database: 'ok', migrations: 'ok', ingest: 'ok' };
    try {
      const applied = await withTimeout(this.health.appliedMigrations(), DB_TIMEOUT_MS);
      this.expected ??= readMigrations().then((all) => all.map((m) => m.name));
      const missing = (await this.expected).filter((name) => !applied.has(name));
      if (missing.length > 0) checks.migrations = `not applied: ${missing.join(', ')}`;
    } catch (error) {
      checks.database = `unreachable: ${message(error)}`;
      checks.migrations = 'unknown (database unreachable)';
    }
    if (this.stopping) checks.ingest = 'shutting down';
    const ready = Object.values(checks).every((c) => c === 'ok');
    return { status: ready ? 'ready' : 'not ready', checks };
  }
}
