import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { alertDeliveryListSchema, alertDeliverySchema, type AlertDelivery, type AlertDeliveryList } from '@portpressure/protocol';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../../docs/openapi.ts';
import { DeliveriesService } from './deliveries.service.ts';

@ApiSignedIn('alerts')
@Controller('api/alerts/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Delivery log',
    description: 'Every notification per channel with each attempt, newest first.',
    ok: schemaRef('AlertDeliveryList', alertDeliveryListSchema),
    errors: [400],
  })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'failed'] })
  @ApiQuery({ name: 'channelId', required: false })
  @ApiQuery({ name: 'incidentId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  list(@Query() query: Record<string, unknown>): Promise<AlertDeliveryList> {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @ApiEndpoint({
    summary: 'One notification with its delivery attempts',
    ok: schemaRef('AlertDelivery', alertDeliverySchema),
    errors: [404],
  })
  get(@Param('id') id: string): Promise<AlertDelivery> {
    return this.deliveries.get(id);
  }
}
