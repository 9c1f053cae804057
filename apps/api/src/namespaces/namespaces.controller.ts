import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import {
  MAX_WORKLOADS,
  hostNamespacesSchema,
  namespaceDetailSchema,
  namespaceHistorySchema,
  workloadsSchema,
  type HostNamespaces,
  type NamespaceDetail,
  type NamespaceHistory,
  type Workloads,
} from '@portpressure/protocol';
import { ApiEndpoint, ApiSignedIn, errorRef, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { NamespacesService } from './namespaces.service.ts';

const NAMESPACE_PARAM = {
  name: 'namespaceId',
  description: '"host" for the host\'s own namespace, or the number the API gave the namespace on this host',
  schema: { type: 'string' },
} as const;

@ApiSignedIn('hosts')
@ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
@ApiResponse({ status: 400, description: 'Invalid host id, namespace id or query', schema: errorRef })
@ApiResponse({ status: 404, description: 'No such host or namespace', schema: errorRef })
@Controller('api/hosts')
export class NamespacesController {
  constructor(private readonly namespaces: NamespacesService) {}

  @Get(':id/namespaces')
  @ApiEndpoint({
    summary: "A host's network namespaces, worst first",
    description:
      'The host\'s own namespace ("host") and every other one its agent reports (containers, pods, ip netns), ' +
      'highest pressure first, with their names, pod, containers, first and last seen. `gone=true` adds the gone ones.',
    ok: schemaRef('HostNamespaces', hostNamespacesSchema),
  })
  @ApiQuery({
    name: 'gone',
    required: false,
    description: 'true: list gone namespaces as well',
    schema: { type: 'string', enum: ['true', 'false'] },
  })
  list(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<HostNamespaces> {
    checkHostId(id);
    return this.namespaces.list(id, query);
  }

  @Get(':id/namespaces/:namespaceId')
  @ApiEndpoint({
    summary: "A namespace's latest report and advice",
    description: 'A gone namespace keeps its last report and says gone: true.',
    ok: schemaRef('NamespaceDetail', namespaceDetailSchema),
  })
  @ApiParam(NAMESPACE_PARAM)
  detail(@Param('id') id: string, @Param('namespaceId') namespaceId: string): Promise<NamespaceDetail> {
    checkHostId(id);
    return this.namespaces.detail(id, namespaceId);
  }

  @Get(':id/namespaces/:namespaceId/history')
  @ApiEndpoint({
    summary: "A namespace's history, downsampled",
    description: "Same shape, query and limits as the host's history; a namespace's history is read from its raw reports.",
    ok: schemaRef('NamespaceHistory', namespaceHistorySchema),
  })
  @ApiParam(NAMESPACE_PARAM)
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' } })
  history(
    @Param('id') id: string,
    @Param('namespaceId') namespaceId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<NamespaceHistory> {
    checkHostId(id);
    return this.namespaces.namespaceHistory(id, namespaceId, query);
  }
}

@ApiSignedIn('workloads')
@ApiResponse({ status: 400, description: 'Invalid query', schema: errorRef })
@Controller('api/workloads')
export class WorkloadsController {
  constructor(private readonly namespaces: NamespacesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Pods, containers and other namespaces across the fleet, highest pressure first',
    description: "Every existing namespace other than the hosts' own, with its host. `total` counts them all.",
    ok: schemaRef('Workloads', workloadsSchema),
  })
  @ApiQuery({ name: 'limit', required: false, description: `Rows to answer, 1-${MAX_WORKLOADS}`, schema: { type: 'integer' } })
  list(@Query() query: Record<string, unknown>): Promise<Workloads> {
    return this.namespaces.workloads(query);
  }
}
