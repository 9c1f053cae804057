/**
 * `new Date(ms).toISOString()` without `Date`'s calendar: the long-lived agent formats a time for
 * every log line and snapshot, and V8 breaks a date down through ICU's default time zone even
 * for UTC output, which pages in about 640 KB of the Node binary's ICU data that the agent never
 * needs otherwise (measured with /proc/self/pagemap; docs/agent-memory.md). The same text, by
 * integer arithmetic (days to a civil date as in Howard Hinnant's `civil_from_days`).
 */
const MS_PER_DAY = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on `toISOString` writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;

const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

export function isoTime(ms: number = Date.now()): string {
  // before 1970 or from year 10000 on (never a clock reading): Date's own text and errors
  if (!(ms >= 0 && ms < YEAR_10000)) return new Date(ms).toISOString();
  const whole = Math.floor(ms);
  const days = Math.floor(whole / MS_PER_DAY);
  let rest = whole - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;

  // days since 0000-03-01, in 400-year eras of 146,097 days
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(millis)}Z`;
}
