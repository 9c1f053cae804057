import { percent, pressureLevel } from '../format.ts';

/** A bar coloured by threshold (ok, warning from 2/3, critical from 90 %) with the value beside it. */
export function PressureBar({ value, label, showValue = true }: { value: number | null; label?: string; showValue?: boolean }) {
  const level = pressureLevel(value);
  return (
    <span className="pressure-cell">
      <span
        className={`bar ${level}`}
        role="meter"
        aria-label={label ?? 'pressure'}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value === null ? undefined : Math.round(value * 100)}
        aria-valuetext={percent(value)}
      >
        <span className="fill" style={{ width: `${Math.min(100, (value ?? 0) * 100)}%` }} />
      </span>
      {showValue && (
        <span className={`pressure-value ${level}`} data-testid="pressure">
          {percent(value)}
        </span>
      )}
    </span>
  );
}
