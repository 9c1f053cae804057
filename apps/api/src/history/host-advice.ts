import { adviseOnReport } from '@portpressure/domain';
import { PRESSURE_WARNING, type AdviceItem, type PortReport } from '@portpressure/protocol';

/**
 * RFC 6335 reserves 49152-65535 for dynamic ports and registers services on 1024-49151; Linux's
 * default range (32768-60999) already overlaps the registered ports, and widening further does more.
 */
const RFC_6335_CAVEAT =
  'Mind RFC 6335: only 49152-65535 is the dynamic range; ports below it are registered for services (1024-49151). ' +
  'List any port a service on this host must listen on in net.ipv4.ip_local_reserved_ports before widening, ' +
  'or that service may find its port taken by an outgoing connection.';

/**
 * The host page's advice: the domain's (shared with `check`, so both say the same thing) at the
 * UI's warning threshold, with the RFC 6335 caveat where widening the range is suggested.
 */
export function adviceFor(report: PortReport): AdviceItem[] {
  return adviseOnReport(report, { threshold: PRESSURE_WARNING }).map((a) =>
    a.code === 'NARROW_RANGE' ? { code: a.code, message: `${a.message} ${RFC_6335_CAVEAT}` } : { code: a.code, message: a.message },
  );
}
