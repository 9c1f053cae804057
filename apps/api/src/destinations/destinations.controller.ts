import { Body, Controller, Delete, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { DestinationsService } from './destinations.service.ts';

const endpointParam = {
  name: 'endpoint',
  description: 'The destination as address:port, e.g. 10.0.0.5:443 or [2001:db8::5]:443 (URL-encoded)',
  schema: { type: 'string' as const },
};
const limitLoad = { service: DestinationsService, method: 'limit' };
const groupLoad = { service: DestinationsService, method: 'hostGroup' };

@ApiTags('destinations')
@ApiCookieAuth('session')
@ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
@Controller('api')
export class DestinationsController {
  constructor(@Inject(DestinationsService) private readonly destinations: DestinationsService) {}

  @Get('destinations')
  @ApiOperation({
    summary: 'Remote endpoints ranked by the pressure they put on their clients',
    description:
      "From every host's latest snapshot: for each remote address and port, how many hosts connect to it, their " +
      'connections summed, and the worst host and tuple (highest pressure). Worst pressure first, then most connections.',
  })
  @ApiQuery({ name: 'limit', required: false, description: 'Destinations listed (1-10000, default 200)' })
  @ApiOkResponse({ schema: schemaRef('DestinationList', destinationListSchema) })
  @ApiResponse({ status: 400, description: 'Bad limit', schema: errorRef })
  list(@Query() query: Record<string, unknown>): Promise<DestinationList> {
    return this.destinations.destinations(query);
  }

  @Get('egress')
  @ApiOperation({
    summary: 'Egress budgets: connections per destination of each egress group against its limit',
    description:
      'Hosts are grouped by the label named in PORTPRESSURE_EGRESS_LABEL (or a group set with PUT /api/hosts/{id}/egress-group). ' +
      'For each group and destination: connections summed over the group, the limit (set, or PORTPRESSURE_EGRESS_DEFAULT_LIMIT) and the share.',
  })
  @ApiOkResponse({ schema: schemaRef('EgressOverview', egressOverviewSchema) })
  egress(): Promise<EgressOverview> {
    return this.destinations.egress();
  }

  @Put('egress/limits/:endpoint')
  @Audited({ entity: 'egress-limit', action: 'set', idParam: 'endpoint', load: limitLoad })
  @ApiOperation({ summary: "Set a destination's egress limit (editor)", description: 'Connections one egress group may hold to it.' })
  @ApiParam(endpointParam)
  @ApiBody({ schema: schemaRef('EgressLimitBody', egressLimitBodySchema, 'input') })
  @ApiOkResponse({ schema: schemaRef('EgressLimit', egressLimitSchema) })
  @ApiResponse({ status: 400, description: 'Not an endpoint, or not a positive limit', schema: errorRef })
  @ApiResponse({ status: 403, description: 'Needs the editor role', schema: errorRef })
  setLimit(@Param('endpoint') endpoint: string, @Body() body: unknown): Promise<EgressLimit> {
    return this.destinations.setLimit(endpoint, body);
  }

  @Delete('egress/limits/:endpoint')
  @Audited({ entity: 'egress-limit', action: 'delete', idParam: 'endpoint', load: limitLoad })
  @ApiOperation({ summary: "Remove a destination's limit: the default applies again (editor)" })
  @ApiParam(endpointParam)
  @ApiOkResponse({ schema: schemaRef('EgressLimit', egressLimitSchema) })
  @ApiResponse({ status: 400, description: 'Not an endpoint', schema: errorRef })
  @ApiResponse({ status: 403, description: 'Needs the editor role', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No limit set for it', schema: errorRef })
  deleteLimit(@Param('endpoint') endpoint: string): Promise<EgressLimit> {
    return this.destinations.deleteLimit(endpoint);
  }

  @Get('hosts/:id/egress-group')
  @ApiOperation({ summary: "A host's egress group: the one set explicitly, if any, and the one in effect" })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('HostEgressGroup', hostEgressGroupSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  hostGroup(@Param('id') id: string): Promise<HostEgressGroup> {
    return this.destinations.hostGroup(id);
  }

  @Put('hosts/:id/egress-group')
  @Audited({ entity: 'host', action: 'set-egress-group', load: groupLoad })
  @ApiOperation({
    summary: "Set a host's egress group explicitly, or null to follow its label again (editor)",
    description: 'An explicit group wins over the PORTPRESSURE_EGRESS_LABEL label the agent reports.',
  })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiBody({ schema: schemaRef('EgressGroupBody', egressGroupBodySchema, 'input') })
  @ApiOkResponse({ schema: schemaRef('HostEgressGroup', hostEgressGroupSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id, or not a group name', schema: errorRef })
  @ApiResponse({ status: 403, description: 'Needs the editor role', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  setHostGroup(@Param('id') id: string, @Body() body: unknown): Promise<HostEgressGroup> {
    return this.destinations.setHostGroup(id, body);
  }
}
