/** Commands the netns tests send to socket-driver.ts, one JSON object per line. */
export type DriverCommand =
  | { op: 'listen'; host: string; port: number }
  /** Connects one socket at a time until `max` succeeded or one fails; keeps them open under `tag`. */
  | { op: 'connect'; tag: string; host: string; port: number; localAddress?: string; localPorts?: number[]; max?: number }
  | { op: 'close-clients'; tag: string }
  | { op: 'close-server-side'; port: number }
  /** Connected UDP sockets, round-robin over `ports`, until `max` or a failure. */
  | { op: 'udp'; host: string; ports: number[]; max?: number }
  /**
   * Starts opening `perSecond` connections a second to host:port in the background, each closed by
   * the client as soon as it is up (so it ends in TIME_WAIT on the client); the reply comes at once.
   */
  | { op: 'churn-start'; host: string; port: number; perSecond: number }
  /** How many connections the churn has completed so far (`succeeded`); `stop` ends it. */
  | { op: 'churn-count'; stop?: boolean };

export interface DriverReply {
  ok: boolean;
  succeeded: number;
  /** errno code of the first failure (e.g. EADDRNOTAVAIL), or null. */
  error: string | null;
}
