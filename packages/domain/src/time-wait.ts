import type { Sysctls } from '@portpressure/protocol';
import { isLoopbackAddress } from './ip-address.ts';

/** TCP_TIMEWAIT_LEN: a TIME_WAIT entry lives 60 s, whatever tcp_fin_timeout says. */
const TIME_WAIT_SECONDS = 60;
/** The reuse delay on kernels without net.ipv4.tcp_tw_reuse_delay (before 6.14: one second). */
const DEFAULT_TW_REUSE_DELAY_MS = 1000;

export type ReuseSettings = Pick<Sysctls, 'tcpTwReuse' | 'tcpTwReuseDelayMs' | 'tcpTimestamps'>;

/**
 * Whether `connect()` may recycle TIME_WAIT entries of a tuple between these addresses at all
 * (tcp_twsk_unique(), net/ipv4/tcp_ipv4.c): tcp_tw_reuse 1 always, 2 only when either address is
 * loopback, 0 never; and only with TCP timestamps, which are not negotiated when this host has
 * tcp_timestamps=0. A peer that refuses timestamps, or a socket bound to `lo` by device, is
 * invisible here (a stated blind spot).
 */
export function reuseAllowed(localAddress: string, remoteAddress: string, settings: ReuseSettings): boolean {
  if (settings.tcpTimestamps === 0) return false;
  if (settings.tcpTwReuse === 1) return true;
  if (settings.tcpTwReuse === 2) return isLoopbackAddress(localAddress) || isLoopbackAddress(remoteAddress);
  return false;
}

/**
 * Whether a TIME_WAIT entry is old enough to be recycled: the kernel requires it to be older than
 * tcp_tw_reuse_delay. Its age is 60 s minus the time left on its timer, known in whole seconds
 * only (see SocketRecord), so the age is taken at its lower bound:
 * an entry counts as reclaimable only when it certainly is, never early. An entry whose timer was
 * not reported is not counted.
 */
export function oldEnoughToReuse(timeWaitSecondsLeft: number | null, settings: ReuseSettings): boolean {
  if (timeWaitSecondsLeft === null) return false;
  const minAgeMs = (TIME_WAIT_SECONDS - Math.max(0, timeWaitSecondsLeft) - 1) * 1000;
  return minAgeMs >= (settings.tcpTwReuseDelayMs ?? DEFAULT_TW_REUSE_DELAY_MS);
}
