import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { alertDeliveryListSchema, alertDeliverySchema, type AlertDelivery, type AlertDeliveryList } from '@portpressure/protocol';
import { errorRef, schemaRef } from '../../docs/openapi.ts';
import { DeliveriesService } from './deliveries.service.ts';

@ApiTags('alerts')
@ApiCookieAuth('session')
@Controller('api/alerts/deliveries')
export class DeliveriesController {
  constructor(@Inject(DeliveriesService) private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({ summary: 'Delivery log', description: 'Every notification per channel with each attempt, newest first.' })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'failed'] })
  @ApiQuery({ name: 'channelId', required: false })
  @ApiQuery({ name: 'incidentId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  @ApiOkResponse({ schema: schemaRef('AlertDeliveryList', alertDeliveryListSchema) })
  @ApiResponse({ status: 400, schema: errorRef })
  list(@Query() query: Record<string, unknown>): Promise<AlertDeliveryList> {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One notification with its delivery attempts' })
  @ApiOkResponse({ schema: schemaRef('AlertDelivery', alertDeliverySchema) })
  @ApiResponse({ status: 404, schema: errorRef })
  get(@Param('id') id: string): Promise<AlertDelivery> {
    return this.deliveries.get(id);
  }
}
