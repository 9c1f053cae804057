import { WsAdapter } from '@nestjs/platform-ws';

/**
 * Nest's WsAdapter routes `{ event, data }` JSON to @SubscribeMessage handlers and silently drops
 * anything else. Our gateways must answer every bad frame with a specific error, so they read raw
 * frames themselves (in handleConnection) and this adapter binds no message handlers of its own.
 */
export class RawWsAdapter extends WsAdapter {
  override bindMessageHandlers(): void {
    // intentionally empty: see class comment
  }
}
