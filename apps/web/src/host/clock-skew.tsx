import { hostClockSchema, type HostClock } from '@portpressure/protocol';
import { useEffect, useState } from 'react';
import { request } from '../api.ts';
import { duration } from '../format.ts';

/** Below this the agent's clock is as good as the API's; nothing is shown. */
const SHOW_FROM_SECONDS = 5;

/**
 * How far the host's agent clock is off, as the API measured it. Shown only when it matters:
 * times on this page and in alerts come from the agent, and a clock far ahead has its snapshots
 * placed at their arrival time instead.
 */
export function ClockSkew({ hostId }: { hostId: string }) {
  const [clock, setClock] = useState<HostClock | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    request(`/api/hosts/${hostId}/clock`, (b) => hostClockSchema.parse(b), { signal: controller.signal }).then(setClock, () => undefined);
    return () => controller.abort();
  }, [hostId]);
  if (clock?.skewSeconds == null || Math.abs(clock.skewSeconds) < SHOW_FROM_SECONDS) return null;
  const direction = clock.skewSeconds > 0 ? 'ahead' : 'behind';
  const text = `agent clock ${duration(Math.abs(clock.skewSeconds) * 1000)} ${direction}`;
  return (
    <span
      className="badge offline"
      data-testid="clock-skew"
      title={clock.corrected ? "Its snapshots are placed at the time they arrived, since the agent's clock is too far ahead." : undefined}
    >
      {text}
      {clock.corrected ? ' (times corrected)' : ''}
    </span>
  );
}
