/**
 * Go's values as a template sees them, mapped onto JavaScript:
 * `undefined` is Go's invalid value (a missing key, printed `<no value>`),
 * `null` a nil interface, `number` a float64 (what JSON numbers decode to),
 * `bigint` an int, arrays `[]interface{}`, plain objects
 * `map[string]interface{}`, and {@link GoTime} a `time.Time`.
 */
export type GoValue =
  | undefined
  | null
  | boolean
  | string
  | number
  | bigint
  | GoTime
  | GoValue[]
  | { [key: string]: GoValue };

/** A `time.Time`: an instant and the zone it prints in. */
export class GoTime {
  constructor(
    readonly ms: number,
    /** Minutes east of UTC. */
    readonly offsetMinutes = 0,
    readonly zone = 'UTC',
  ) {}
}

export type GoMap = { [key: string]: GoValue };

export type Kind =
  'invalid' | 'nil' | 'bool' | 'string' | 'float' | 'int' | 'slice' | 'map' | 'time';

export function kindOf(v: GoValue): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return 'float';
    case 'bigint':
      return 'int';
  }
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoTime) return 'time';
  return 'map';
}

export function isMap(v: GoValue): v is GoMap {
  return kindOf(v) === 'map';
}

/** Go's type name, for error messages. */
export function typeName(v: GoValue): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<invalid reflect.Value>';
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
    case 'float':
      return 'float64';
    case 'int':
      return 'int';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'time':
      return 'time.Time';
  }
}

/** Go's truth for `if`, `with`, `and`, `or`, `not`: the zero value and empty collections are false. */
export function isTrue(v: GoValue): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'string':
      return (v as string).length > 0;
    case 'float':
      return (v as number) !== 0;
    case 'int':
      return (v as bigint) !== 0n;
    case 'slice':
      return (v as GoValue[]).length > 0;
    case 'map':
      return Object.keys(v as GoMap).length > 0;
    case 'time':
      return true;
  }
}

/** Map keys in Go's printing and ranging order. */
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A float64 as Go's `%v` prints it (strconv 'g', shortest): `3`, `1.5`, `1e+06`, `1e-05`. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  // Shortest formatting switches to an exponent outside 1e-4 <= |v| < 1e6, as strconv's 'g' does.
  if (exp < -4 || exp >= 6) {
    const rest = digits.slice(1);
    const e = Math.abs(exp);
    return `${sign}${digits[0] ?? ''}${rest ? `.${rest}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return sign + fixed(digits, exp);
}

function fixed(digits: string, exp: number): string {
  const point = exp + 1;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The wall-clock fields of a time in its zone. */
export function wallClock(t: GoTime): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
} {
  const d = new Date(t.ms + t.offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/**
 * Formats a time with a Go layout (the reference time `Mon Jan 2 15:04:05 MST 2006`).
 * Covers the layout elements people use in templates.
 */
export function formatTime(t: GoTime, layout: string): string {
  const w = wallClock(t);
  const tokens: [string, () => string][] = [
    ['January', () => months[w.month - 1] ?? ''],
    ['Monday', () => days[w.weekday] ?? ''],
    ['2006', () => pad(w.year, 4)],
    ['-07:00', () => offsetText(t.offsetMinutes, true)],
    ['-0700', () => offsetText(t.offsetMinutes, false)],
    ['Z07:00', () => (t.offsetMinutes === 0 ? 'Z' : offsetText(t.offsetMinutes, true))],
    ['Z0700', () => (t.offsetMinutes === 0 ? 'Z' : offsetText(t.offsetMinutes, false))],
    ['.000000000', () => `.${pad(w.ms, 3)}000000`],
    ['.000000', () => `.${pad(w.ms, 3)}000`],
    ['.000', () => `.${pad(w.ms, 3)}`],
    ['.999999999', () => (w.ms ? `.${pad(w.ms, 3).replace(/0+$/, '')}` : '')],
    ['.999', () => (w.ms ? `.${pad(w.ms, 3).replace(/0+$/, '')}` : '')],
    ['Jan', () => (months[w.month - 1] ?? '').slice(0, 3)],
    ['Mon', () => (days[w.weekday] ?? '').slice(0, 3)],
    ['MST', () => t.zone],
    ['01', () => pad(w.month)],
    ['02', () => pad(w.day)],
    ['_2', () => String(w.day).padStart(2, ' ')],
    ['15', () => pad(w.hour)],
    ['03', () => pad(w.hour % 12 === 0 ? 12 : w.hour % 12)],
    ['04', () => pad(w.minute)],
    ['05', () => pad(w.second)],
    ['06', () => pad(w.year % 100)],
    ['PM', () => (w.hour >= 12 ? 'PM' : 'AM')],
    ['pm', () => (w.hour >= 12 ? 'pm' : 'am')],
    ['1', () => String(w.month)],
    ['2', () => String(w.day)],
    ['3', () => String(w.hour % 12 === 0 ? 12 : w.hour % 12)],
    ['4', () => String(w.minute)],
    ['5', () => String(w.second)],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, render] of tokens) {
      if (layout.startsWith(token, i)) {
        out += render();
        i += token.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

/** `time.Time`'s String(): `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function timeString(t: GoTime): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** A value as Go's `fmt.Sprint` prints it (`%v`). */
export function formatValue(v: GoValue): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<invalid reflect.Value>';
    case 'nil':
      return '<nil>';
    case 'bool':
      return v ? 'true' : 'false';
    case 'string':
      return v as string;
    case 'float':
      return formatFloat(v as number);
    case 'int':
      return (v as bigint).toString();
    case 'slice':
      return `[${(v as GoValue[]).map(formatValue).join(' ')}]`;
    case 'map': {
      const m = v as GoMap;
      return `map[${sortedKeys(m)
        .map((k) => `${k}:${formatValue(m[k])}`)
        .join(' ')}]`;
    }
    case 'time':
      return timeString(v as GoTime);
  }
}

/** Converts a JSON value (as JSON.parse gives it) into a template value: numbers are float64, as Go decodes them. */
export function fromJson(v: unknown): GoValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const out: GoMap = {};
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) out[k] = fromJson(item);
    return out;
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

/** A template value as JSON, as Go's encoding/json writes it (ints and floats alike as numbers). */
export function toJsonValue(v: GoValue): unknown {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return null;
    case 'int':
      return Number(v as bigint);
    case 'slice':
      return (v as GoValue[]).map(toJsonValue);
    case 'map': {
      const m = v as GoMap;
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(m)) out[k] = toJsonValue(m[k]);
      return out;
    }
    case 'time':
      return formatTime(v as GoTime, '2006-01-02T15:04:05.999999999Z07:00');
    default:
      return v;
  }
}
