// Instants given by callers (an item's occurredAt, the log's from/to): ISO 8601 date and time with a
// time zone (`Z` or `±hh:mm`), read strictly (no 30 February, no 24:00) and normalized to UTC
// milliseconds, `2026-11-29T10:00:00.000Z`, the form every stored time has (so that they sort as text).
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The instant in normalized UTC form, or null when `value` is not an ISO 8601 date-time with a zone. */
export function parseInstant(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const m = INSTANT.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear: years 0-99 are not taken as 19xx
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  const iso = date.toISOString();
  // Outside years 0001-9999 after the offset, the text form would no longer sort as time does.
  return /^\d{4}-/.test(iso) && !iso.startsWith('0000') ? iso : null;
}
