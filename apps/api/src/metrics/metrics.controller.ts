import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthError } from '../auth/auth.errors.ts';
import { AuthService } from '../auth/auth.service.ts';
import { Public } from '../auth/public.decorator.ts';
import { readSessionToken } from '../auth/session-cookie.ts';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { errorRef } from '../docs/openapi.ts';
import { hashesEqual, hashSecret } from '../enrollment/secret-token.ts';
import { ApiTokenAuth, readBearerToken } from '../tokens/api-token-auth.ts';
import { FleetMetrics } from './fleet-metrics.ts';
import { ServiceMetrics } from './service-metrics.ts';

/**
 * Prometheus scrape endpoint. Public to the global guard because it also takes the dedicated
 * PORTPRESSURE_METRICS_TOKEN, which is not an API token; it checks its own credentials instead:
 * that token, any API token (read-only is enough), or a signed-in session.
 */
@ApiTags('operations')
@ApiBearerAuth('token')
@Controller('metrics')
export class MetricsController {
  /** Scrapes run one at a time: each rebuilds the gauges, and two at once would mix their rebuilds. */
  private scrapes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly fleet: FleetMetrics,
    private readonly tokens: ApiTokenAuth,
    private readonly auth: AuthService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format. Needs `Authorization: Bearer` with an API token (read-only is enough) or PORTPRESSURE_METRICS_TOKEN, or a session.',
  })
  @ApiOkResponse({ description: 'Metrics in the Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 401, schema: errorRef })
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      await this.authorize(req);
    } catch (error) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="portpressure"');
      throw error;
    }
    const body = await this.render();
    res.status(200).type(this.metrics.registry.contentType).send(body);
  }

  private render(): Promise<string> {
    const next = this.scrapes.then(async () => {
      await this.fleet.refresh();
      return this.metrics.registry.metrics();
    });
    this.scrapes = next.catch(() => undefined);
    return next;
  }

  private async authorize(req: Request): Promise<void> {
    const bearer = readBearerToken(req.headers.authorization);
    if (bearer !== undefined) {
      const dedicated = this.config.metrics.token;
      if (dedicated !== undefined && hashesEqual(hashSecret(bearer), hashSecret(dedicated))) return;
      await this.tokens.authenticate(bearer, 'GET');
      return;
    }
    if (await this.auth.resolve(readSessionToken(req.headers.cookie))) return;
    throw new AuthError(
      'UNAUTHENTICATED',
      'send "Authorization: Bearer <API token or PORTPRESSURE_METRICS_TOKEN>" (see docs/prometheus.md)',
    );
  }
}
