import { TCP_STATES } from '@portpressure/protocol/agent-constants';
import type { TcpState } from '@portpressure/protocol';

/** TCP states in the kernel's numeric order (code − 1), the order reports list them in. */
export const TCP_STATES_IN_ORDER: readonly TcpState[] = TCP_STATES;

/**
 * TCP states indexed by the kernel's numeric code (include/net/tcp_states.h), as printed in hex by
 * /proc/net/tcp. Index 0 is unused; 12 is TCP_NEW_SYN_RECV, a request socket the kernel reports as
 * SYN_RECV.
 */
export const TCP_STATE_BY_CODE: readonly (TcpState | undefined)[] = [undefined, ...TCP_STATES_IN_ORDER, 'SYN_RECV'];

/** `ss` state names (iproute2 misc/ss.c sstate_name) mapped to the kernel's names. */
export const TCP_STATE_BY_SS_NAME: ReadonlyMap<string, TcpState> = new Map<string, TcpState>([
  ['ESTAB', 'ESTABLISHED'],
  ['SYN-SENT', 'SYN_SENT'],
  ['SYN-RECV', 'SYN_RECV'],
  ['FIN-WAIT-1', 'FIN_WAIT1'],
  ['FIN-WAIT-2', 'FIN_WAIT2'],
  ['TIME-WAIT', 'TIME_WAIT'],
  ['UNCONN', 'CLOSE'],
  ['CLOSE-WAIT', 'CLOSE_WAIT'],
  ['LAST-ACK', 'LAST_ACK'],
  ['LISTEN', 'LISTEN'],
  ['CLOSING', 'CLOSING'],
]);

export const TCP_STATE_INDEX: ReadonlyMap<TcpState, number> = new Map(TCP_STATES_IN_ORDER.map((s, i) => [s, i]));
