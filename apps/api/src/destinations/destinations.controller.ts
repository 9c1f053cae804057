import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiParam, ApiQuery } from '@nestjs/swagger';
import {
  destinationListSchema,
  egressGroupBodySchema,
  egressLimitBodySchema,
  egressLimitSchema,
  egressOverviewSchema,
  hostEgressGroupSchema,
  type DestinationList,
  type EgressLimit,
  type EgressOverview,
  type HostEgressGroup,
} from '@portpressure/protocol';
import { Audited } from '../audit/audit.decorator.ts';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { DestinationsService } from './destinations.service.ts';

const endpointParam = {
  name: 'endpoint',
  description: 'The destination as address:port, e.g. 10.0.0.5:443 or [2001:db8::5]:443 (URL-encoded)',
  schema: { type: 'string' as const },
};
const NEEDS_EDITOR = [403, 'Needs the editor role'] as const;
const limitLoad = { service: DestinationsService, method: 'limit' };
const groupLoad = { service: DestinationsService, method: 'hostGroup' };

@ApiSignedIn('destinations')
@Controller('api')
export class DestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get('destinations')
  @ApiEndpoint({
    summary: 'Remote endpoints ranked by the pressure they put on their clients',
    description:
      "From every host's latest snapshot: for each remote address and port, how many hosts connect to it, their " +
      'connections summed, and the worst host and tuple (highest pressure). Worst pressure first, then most connections.',
    ok: schemaRef('DestinationList', destinationListSchema),
    errors: [[400, 'Bad limit']],
  })
  @ApiQuery({ name: 'limit', required: false, description: 'Destinations listed (1-10000, default 200)' })
  list(@Query() query: Record<string, unknown>): Promise<DestinationList> {
    return this.destinations.destinations(query);
  }

  @Get('egress')
  @ApiEndpoint({
    summary: 'Egress budgets: connections per destination of each egress group against its limit',
    description:
      'Hosts are grouped by the label named in PORTPRESSURE_EGRESS_LABEL (or a group set with PUT /api/hosts/{id}/egress-group). ' +
      'For each group and destination: connections summed over the group, the limit (set, or PORTPRESSURE_EGRESS_DEFAULT_LIMIT) and the share.',
    ok: schemaRef('EgressOverview', egressOverviewSchema),
  })
  egress(): Promise<EgressOverview> {
    return this.destinations.egress();
  }

  @Put('egress/limits/:endpoint')
  @Audited({ entity: 'egress-limit', action: 'set', idParam: 'endpoint', load: limitLoad })
  @ApiEndpoint({
    summary: "Set a destination's egress limit (editor)",
    description: 'Connections one egress group may hold to it.',
    body: schemaRef('EgressLimitBody', egressLimitBodySchema, 'input'),
    ok: schemaRef('EgressLimit', egressLimitSchema),
    errors: [[400, 'Not an endpoint, or not a positive limit'], NEEDS_EDITOR],
  })
  @ApiParam(endpointParam)
  setLimit(@Param('endpoint') endpoint: string, @Body() body: unknown): Promise<EgressLimit> {
    return this.destinations.setLimit(endpoint, body);
  }

  @Delete('egress/limits/:endpoint')
  @Audited({ entity: 'egress-limit', action: 'delete', idParam: 'endpoint', load: limitLoad })
  @ApiEndpoint({
    summary: "Remove a destination's limit: the default applies again (editor)",
    ok: schemaRef('EgressLimit', egressLimitSchema),
    errors: [[400, 'Not an endpoint'], NEEDS_EDITOR, [404, 'No limit set for it']],
  })
  @ApiParam(endpointParam)
  deleteLimit(@Param('endpoint') endpoint: string): Promise<EgressLimit> {
    return this.destinations.deleteLimit(endpoint);
  }

  @Get('hosts/:id/egress-group')
  @ApiHostId()
  @ApiEndpoint({
    summary: "A host's egress group: the one set explicitly, if any, and the one in effect",
    ok: schemaRef('HostEgressGroup', hostEgressGroupSchema),
  })
  hostGroup(@Param('id') id: string): Promise<HostEgressGroup> {
    return this.destinations.hostGroup(id);
  }

  @Put('hosts/:id/egress-group')
  @Audited({ entity: 'host', action: 'set-egress-group', load: groupLoad })
  @ApiEndpoint({
    summary: "Set a host's egress group explicitly, or null to follow its label again (editor)",
    description: 'An explicit group wins over the PORTPRESSURE_EGRESS_LABEL label the agent reports.',
    body: schemaRef('EgressGroupBody', egressGroupBodySchema, 'input'),
    ok: schemaRef('HostEgressGroup', hostEgressGroupSchema),
    errors: [NEEDS_EDITOR],
  })
  @ApiHostId('Not a host id, or not a group name')
  setHostGroup(@Param('id') id: string, @Body() body: unknown): Promise<HostEgressGroup> {
    return this.destinations.setHostGroup(id, body);
  }
}
