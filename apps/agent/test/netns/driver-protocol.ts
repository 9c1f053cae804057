/** Commands the netns tests send to socket-driver.ts, one JSON object per line. */
export type DriverCommand =
  | { op: 'listen'; host: string; port: number }
  /** Connects one socket at a time until `max` succeeded or one fails; keeps them open under `tag`. */
  | { op: 'connect'; tag: string; host: string; port: number; localAddress?: string; localPorts?: number[]; max?: number }
  | { op: 'close-clients'; tag: string }
  | { op: 'close-server-side'; port: number }
  /** Connected UDP sockets, round-robin over `ports`, until `max` or a failure. */
  | { op: 'udp'; host: string; ports: number[]; max?: number };

export interface DriverReply {
  ok: boolean;
  succeeded: number;
  /** errno code of the first failure (e.g. EADDRNOTAVAIL), or null. */
  error: string | null;
}
