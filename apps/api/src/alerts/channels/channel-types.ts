import type { ChannelTypeInfo } from '@portpressure/protocol';
import { providerRegistry } from '../../notifications/providers/index.ts';

/** `GET /api/alerts/channel-types`: every registered provider with the form its file describes. */
export function channelTypes(): ChannelTypeInfo[] {
  return providerRegistry.list().map((p) => ({ type: p.name, displayName: p.displayName, fields: p.fields }));
}
