import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import { errorRef, schemaRef } from '../../docs/openapi.ts';
import { ChannelsService } from './channels.service.ts';

const channelRef = schemaRef('AlertChannel', alertChannelSchema);
const load = { service: ChannelsService, method: 'get' };
const channelInputRef = schemaRef('AlertChannelInput', alertChannelInputSchema, 'input');

@ApiTags('alerts')
@ApiCookieAuth('session')
@Controller('api/alerts')
export class ChannelsController {
  constructor(@Inject(ChannelsService) private readonly channels: ChannelsService) {}

  @Get('channel-types')
  @ApiOperation({ summary: 'Chat services a channel can post to, with the settings each one needs' })
  @ApiOkResponse({ schema: schemaRef('ChannelTypeList', channelTypeListSchema) })
  types(): ChannelTypeList {
    return this.channels.types();
  }

  @Get('channels')
  @ApiOperation({ summary: 'Notification channels', description: 'Webhook URLs and secrets are always masked.' })
  @ApiOkResponse({ schema: schemaRef('AlertChannelList', alertChannelListSchema) })
  list(): Promise<AlertChannelList> {
    return this.channels.list();
  }

  @Get('channels/:id')
  @ApiOperation({ summary: 'One notification channel', description: 'Webhook URL and secret masked.' })
  @ApiOkResponse({ schema: channelRef })
  @ApiResponse({ status: 404, schema: errorRef })
  get(@Param('id') id: string): Promise<AlertChannel> {
    return this.channels.get(id);
  }

  @Post('channels')
  @Audited({ entity: 'channel', action: 'create' })
  @ApiOperation({ summary: 'Create a channel' })
  @ApiBody({ schema: channelInputRef })
  @ApiOkResponse({ schema: channelRef })
  @ApiResponse({ status: 400, description: 'Settings do not fit the channel type', schema: errorRef })
  create(@Body() body: unknown): Promise<AlertChannel> {
    return this.channels.create(body);
  }

  @Put('channels/:id')
  @Audited({ entity: 'channel', action: 'update', load })
  @ApiOperation({
    summary: 'Replace a channel',
    description: 'Send a masked secret back unchanged to keep the stored one. Disabling fails its pending deliveries.',
  })
  @ApiBody({ schema: channelInputRef })
  @ApiOkResponse({ schema: channelRef })
  @ApiResponse({ status: 400, schema: errorRef })
  @ApiResponse({ status: 404, schema: errorRef })
  update(@Param('id') id: string, @Body() body: unknown): Promise<AlertChannel> {
    return this.channels.update(id, body);
  }

  @Delete('channels/:id')
  @Audited({ entity: 'channel', action: 'delete', load })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel and its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiResponse({ status: 404, schema: errorRef })
  delete(@Param('id') id: string): Promise<void> {
    return this.channels.delete(id);
  }

  @Post('channels/:id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a test message',
    description: 'One attempt now, no retries; the answer is the delivery with its outcome (also in the delivery log).',
  })
  @ApiOkResponse({ schema: schemaRef('AlertDelivery', alertDeliverySchema) })
  @ApiResponse({ status: 404, schema: errorRef })
  test(@Param('id') id: string): Promise<AlertDelivery> {
    return this.channels.sendTest(id);
  }
}
