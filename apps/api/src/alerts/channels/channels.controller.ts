import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  alertChannelInputSchema,
  alertChannelListSchema,
  alertChannelSchema,
  alertDeliverySchema,
  channelTypeListSchema,
  type AlertChannel,
  type AlertChannelList,
  type AlertDelivery,
  type ChannelTypeList,
} from '@portpressure/protocol';
import { Audited } from '../../audit/audit.decorator.ts';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../../docs/openapi.ts';
import { ChannelsService } from './channels.service.ts';

const channelRef = schemaRef('AlertChannel', alertChannelSchema);
const load = { service: ChannelsService, method: 'get' };
const channelInputRef = schemaRef('AlertChannelInput', alertChannelInputSchema, 'input');

@ApiSignedIn('alerts')
@Controller('api/alerts')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get('channel-types')
  @ApiEndpoint({
    summary: 'Chat services a channel can post to, with the settings each one needs',
    ok: schemaRef('ChannelTypeList', channelTypeListSchema),
  })
  types(): ChannelTypeList {
    return this.channels.types();
  }

  @Get('channels')
  @ApiEndpoint({
    summary: 'Notification channels',
    description: 'Webhook URLs and secrets are always masked.',
    ok: schemaRef('AlertChannelList', alertChannelListSchema),
  })
  list(): Promise<AlertChannelList> {
    return this.channels.list();
  }

  @Get('channels/:id')
  @ApiEndpoint({ summary: 'One notification channel', description: 'Webhook URL and secret masked.', ok: channelRef, errors: [404] })
  get(@Param('id') id: string): Promise<AlertChannel> {
    return this.channels.get(id);
  }

  @Post('channels')
  @Audited({ entity: 'channel', action: 'create' })
  @ApiEndpoint({
    summary: 'Create a channel',
    body: channelInputRef,
    ok: channelRef,
    errors: [[400, 'Settings do not fit the channel type']],
  })
  create(@Body() body: unknown): Promise<AlertChannel> {
    return this.channels.create(body);
  }

  @Put('channels/:id')
  @Audited({ entity: 'channel', action: 'update', load })
  @ApiEndpoint({
    summary: 'Replace a channel',
    description: 'Send a masked secret back unchanged to keep the stored one. Disabling fails its pending deliveries.',
    body: channelInputRef,
    ok: channelRef,
    errors: [400, 404],
  })
  update(@Param('id') id: string, @Body() body: unknown): Promise<AlertChannel> {
    return this.channels.update(id, body);
  }

  @Delete('channels/:id')
  @Audited({ entity: 'channel', action: 'delete', load })
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a channel and its delivery log', noContent: true, errors: [404] })
  delete(@Param('id') id: string): Promise<void> {
    return this.channels.delete(id);
  }

  @Post('channels/:id/test')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Send a test message',
    description: 'One attempt now, no retries; the answer is the delivery with its outcome (also in the delivery log).',
    ok: schemaRef('AlertDelivery', alertDeliverySchema),
    errors: [404],
  })
  test(@Param('id') id: string): Promise<AlertDelivery> {
    return this.channels.sendTest(id);
  }
}
