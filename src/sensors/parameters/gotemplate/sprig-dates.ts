import { formatDuration, msToNs, parseDurationMs } from '../../../time/index.js';
import { fn } from './builtins.js';
import { FuncError, type GoFunc } from './exec.js';
import { toFloat64, toInt64 } from './sprig-math.js';
import { formatTime, GoTime, kindOf, type GoValue } from './value.js';

/** The instant's offset and abbreviation in an IANA zone, or undefined for an unknown zone. */
function zoneAt(ms: number, zone: string): { offset: number; abbr: string } | undefined {
  if (zone === 'UTC' || zone === '' || zone === 'Local') return { offset: 0, abbr: 'UTC' };
  try {
    const part = (style: 'shortOffset' | 'short'): string =>
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: style })
        .formatToParts(new Date(ms))
        .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?/.exec(part('shortOffset'));
    const offset = m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
    return { offset, abbr: part('short') };
  } catch {
    return undefined;
  }
}

/** The machine's zone is UTC for Plinth, as it is in the pods Argo runs sensors in. */
function inZone(ms: number, zone: string): GoTime {
  const z = zoneAt(ms, zone) ?? { offset: 0, abbr: 'UTC' };
  return new GoTime(ms, z.offset, z.abbr);
}

/** sprig's formatDate input: a time, or an int of Unix seconds; anything else means now. */
function asTime(v: GoValue): number {
  if (v instanceof GoTime) return v.ms;
  if (kindOf(v) === 'int') return Number(v as bigint) * 1000;
  return Date.now();
}

const layoutParts: [string, string, string][] = [
  [
    'January',
    '(January|February|March|April|May|June|July|August|September|October|November|December)',
    'monthName',
  ],
  ['Monday', '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)', ''],
  ['2006', '(\\d{4})', 'year'],
  ['Z07:00', '(Z|[+-]\\d{2}:\\d{2})', 'zone'],
  ['-07:00', '([+-]\\d{2}:\\d{2})', 'zone'],
  ['Z0700', '(Z|[+-]\\d{4})', 'zone'],
  ['-0700', '([+-]\\d{4})', 'zone'],
  ['.000000000', '\\.(\\d{9})', 'frac'],
  ['.000000', '\\.(\\d{6})', 'frac'],
  ['.000', '\\.(\\d{3})', 'frac'],
  ['.999999999', '(?:\\.(\\d+))?', 'frac'],
  ['.999', '(?:\\.(\\d+))?', 'frac'],
  ['Jan', '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)', 'monthName'],
  ['Mon', '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)', ''],
  ['MST', '([A-Z]{3,5})', ''],
  ['01', '(\\d{2})', 'month'],
  ['02', '(\\d{2})', 'day'],
  ['_2', ' ?(\\d{1,2})', 'day'],
  ['15', '(\\d{2})', 'hour'],
  ['03', '(\\d{2})', 'hour12'],
  ['04', '(\\d{2})', 'minute'],
  ['05', '(\\d{2})', 'second'],
  ['06', '(\\d{2})', 'year2'],
  ['PM', '(AM|PM)', 'pm'],
  ['1', '(\\d{1,2})', 'month'],
  ['2', '(\\d{1,2})', 'day'],
  ['3', '(\\d{1,2})', 'hour12'],
  ['4', '(\\d{1,2})', 'minute'],
  ['5', '(\\d{1,2})', 'second'],
];

/** Go's time.Parse for the common layout elements; undefined when the text does not fit the layout. */
export function parseGoTime(layout: string, text: string): GoTime | undefined {
  let re = '';
  const fields: string[] = [];
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, pattern, field] of layoutParts) {
      if (layout.startsWith(token, i)) {
        re += pattern;
        if (pattern.includes('(') && !pattern.startsWith('(?:')) fields.push(field);
        else if (pattern.startsWith('(?:\\.')) fields.push(field);
        i += token.length;
        continue outer;
      }
    }
    re += (layout[i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) return undefined;
  const v: Record<string, string> = {};
  fields.forEach((f, j) => {
    if (f && m[j + 1] !== undefined) v[f] = m[j + 1] as string;
  });
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const month = v.monthName ? months.indexOf(v.monthName.slice(0, 3)) + 1 : Number(v.month ?? 1);
  let hour = Number(v.hour ?? 0);
  if (v.hour12 !== undefined) hour = (Number(v.hour12) % 12) + (v.pm === 'PM' ? 12 : 0);
  const year = v.year
    ? Number(v.year)
    : v.year2
      ? 2000 + Number(v.year2) - (Number(v.year2) >= 69 ? 100 : 0)
      : 0;
  const ms = Number(`0.${v.frac ?? '0'}`) * 1000;
  let offset = 0;
  if (v.zone && v.zone !== 'Z') {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(v.zone);
    offset = (z?.[1] === '-' ? -1 : 1) * (Number(z?.[2]) * 60 + Number(z?.[3]));
  }
  const utc = Date.UTC(
    year,
    month - 1,
    Number(v.day ?? 1),
    hour,
    Number(v.minute ?? 0),
    Number(v.second ?? 0),
    ms,
  );
  if (Number.isNaN(utc)) return undefined;
  return new GoTime(utc - offset * 60_000, offset, offset === 0 ? 'UTC' : '');
}

const zeroTime = new GoTime(Date.UTC(1, 0, 1) - 0, 0, 'UTC');

/** sprig's date functions (the machine's local zone is UTC). */
export const sprigDates: [string, GoFunc][] = [
  ['now', fn([], () => inZone(Date.now(), 'UTC'))],
  ['date', fn(['string', 'any'], (f, d) => formatTime(inZone(asTime(d), 'UTC'), f as string))],
  ['htmlDate', fn(['any'], (d) => formatTime(inZone(asTime(d), 'UTC'), '2006-01-02'))],
  [
    'dateInZone',
    fn(['string', 'any', 'string'], (f, d, z) =>
      formatTime(inZone(asTime(d), z as string), f as string),
    ),
  ],
  [
    'date_in_zone',
    fn(['string', 'any', 'string'], (f, d, z) =>
      formatTime(inZone(asTime(d), z as string), f as string),
    ),
  ],
  [
    'htmlDateInZone',
    fn(['any', 'string'], (d, z) => formatTime(inZone(asTime(d), z as string), '2006-01-02')),
  ],
  ['toDate', fn(['string', 'string'], (f, s) => parseGoTime(f as string, s as string) ?? zeroTime)],
  [
    'mustToDate',
    fn(['string', 'string'], (f, s) => {
      const t = parseGoTime(f as string, s as string);
      if (!t) throw new FuncError(`parsing time "${String(s)}" as "${String(f)}": cannot parse`);
      return t;
    }),
  ],
  [
    'unixEpoch',
    fn(['any'], (d) => {
      if (!(d instanceof GoTime)) throw new FuncError('wrong type for value; expected time.Time');
      return String(Math.floor(d.ms / 1000));
    }),
  ],
  [
    'dateModify',
    fn(['string', 'any'], (f, d) => {
      if (!(d instanceof GoTime)) throw new FuncError('wrong type for value; expected time.Time');
      const ms = parseDurationMs(f as string);
      return ms === undefined ? d : new GoTime(d.ms + ms, d.offsetMinutes, d.zone);
    }),
  ],
  [
    'date_modify',
    fn(['string', 'any'], (f, d) => {
      if (!(d instanceof GoTime)) throw new FuncError('wrong type for value; expected time.Time');
      const ms = parseDurationMs(f as string);
      return ms === undefined ? d : new GoTime(d.ms + ms, d.offsetMinutes, d.zone);
    }),
  ],
  [
    'ago',
    fn(['any'], (d) => formatDuration(msToNs(Math.round((Date.now() - asTime(d)) / 1000) * 1000))),
  ],
  [
    'duration',
    fn(['any'], (sec) =>
      formatDuration(
        BigInt.asIntN(64, toInt64(kindOf(sec) === 'string' ? sec : toInt64(sec)) * 1_000_000_000n),
      ),
    ),
  ],
  [
    'durationRound',
    fn(['any'], (v) => {
      const ms = kindOf(v) === 'string' ? (parseDurationMs(v as string) ?? 0) : toFloat64(v) / 1e6;
      const abs = Math.abs(ms);
      const units: [number, string][] = [
        [365 * 86_400_000, 'y'],
        [30 * 86_400_000, 'mo'],
        [86_400_000, 'd'],
        [3_600_000, 'h'],
        [60_000, 'm'],
        [1000, 's'],
      ];
      for (const [size, unit] of units) if (abs >= size) return `${Math.floor(abs / size)}${unit}`;
      return '0s';
    }),
  ],
];
