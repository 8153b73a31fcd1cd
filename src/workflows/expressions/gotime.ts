import { expressionError } from './limits.js';
import { GoTime } from './values.js';

/** Go's reference-time layout elements, longest first so `2006` wins over `2`. */
const ELEMENTS = [
  'January',
  'Monday',
  '2006',
  '-07:00',
  '-0700',
  'Z07:00',
  'Z0700',
  '.000',
  '.999',
  'Jan',
  'Mon',
  'MST',
  '-07',
  '01',
  '02',
  '_2',
  '15',
  '03',
  '04',
  '05',
  '06',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
] as const;

const MONTHS = [
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
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function split(layout: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < layout.length) {
    const el = ELEMENTS.find((e) => layout.startsWith(e, i));
    if (el) {
      out.push(el);
      i += el.length;
    } else {
      out.push(layout[i] as string);
      i++;
    }
  }
  return out;
}

const pad = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c);

function zone(minutes: number, colon: boolean, z: boolean, short = false): string {
  if (z && minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  if (short) return `${sign}${pad(Math.floor(a / 60))}`;
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** Formats a time with a Go layout such as `2006-01-02T15:04:05Z07:00`. */
export function formatLayout(t: GoTime, layout: string): string {
  const d = new Date(t.ms + t.offsetMinutes * 60_000);
  const h = d.getUTCHours();
  const parts = split(layout).map((el) => {
    switch (el) {
      case 'January':
        return MONTHS[d.getUTCMonth()] as string;
      case 'Jan':
        return (MONTHS[d.getUTCMonth()] as string).slice(0, 3);
      case 'Monday':
        return DAYS[d.getUTCDay()] as string;
      case 'Mon':
        return (DAYS[d.getUTCDay()] as string).slice(0, 3);
      case '2006':
        return pad(d.getUTCFullYear(), 4);
      case '06':
        return pad(d.getUTCFullYear() % 100);
      case '01':
        return pad(d.getUTCMonth() + 1);
      case '1':
        return String(d.getUTCMonth() + 1);
      case '02':
        return pad(d.getUTCDate());
      case '_2':
        return pad(d.getUTCDate(), 2, ' ');
      case '2':
        return String(d.getUTCDate());
      case '15':
        return pad(h);
      case '03':
        return pad(h % 12 === 0 ? 12 : h % 12);
      case '3':
        return String(h % 12 === 0 ? 12 : h % 12);
      case '04':
        return pad(d.getUTCMinutes());
      case '4':
        return String(d.getUTCMinutes());
      case '05':
        return pad(d.getUTCSeconds());
      case '5':
        return String(d.getUTCSeconds());
      case 'PM':
        return h >= 12 ? 'PM' : 'AM';
      case 'pm':
        return h >= 12 ? 'pm' : 'am';
      case '.000':
        return `.${pad(d.getUTCMilliseconds(), 3)}`;
      case '.999': {
        const ms = d.getUTCMilliseconds();
        return ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
      }
      case 'MST':
        return t.offsetMinutes === 0 ? 'UTC' : zone(t.offsetMinutes, false, false);
      case '-07:00':
        return zone(t.offsetMinutes, true, false);
      case '-0700':
        return zone(t.offsetMinutes, false, false);
      case '-07':
        return zone(t.offsetMinutes, false, false, true);
      case 'Z07:00':
        return zone(t.offsetMinutes, true, true);
      case 'Z0700':
        return zone(t.offsetMinutes, false, true);
      default:
        return el;
    }
  });
  return parts.join('');
}

/** Parses text with a Go layout; the zone defaults to UTC. */
export function parseLayout(layout: string, text: string): GoTime {
  const fields = { y: 1, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, off: 0, pm: -1 };
  let i = 0;
  const fail = (): never => {
    throw expressionError(`parsing time "${text}" as "${layout}": cannot parse`);
  };
  const digits = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return Number(m[0]);
  };
  const word = (list: string[], short: boolean): number => {
    const idx = list.findIndex((w) => text.startsWith(short ? w.slice(0, 3) : w, i));
    if (idx < 0) return fail();
    i += short ? 3 : (list[idx] as string).length;
    return idx;
  };
  for (const el of split(layout)) {
    switch (el) {
      case '2006':
        fields.y = digits(4, 4);
        break;
      case '06':
        fields.y = 2000 + digits(2, 2);
        break;
      case '01':
      case '1':
        fields.mo = digits(el.length, 2);
        break;
      case 'January':
      case 'Jan':
        fields.mo = word(MONTHS, el === 'Jan') + 1;
        break;
      case 'Monday':
      case 'Mon':
        word(DAYS, el === 'Mon');
        break;
      case '02':
      case '2':
      case '_2':
        if (el === '_2' && text[i] === ' ') i++;
        fields.d = digits(el === '02' ? 2 : 1, 2);
        break;
      case '15':
      case '03':
      case '3':
        fields.h = digits(el === '3' ? 1 : 2, 2);
        break;
      case '04':
      case '4':
        fields.mi = digits(el.length, 2);
        break;
      case '05':
      case '5':
        fields.s = digits(el.length, 2);
        break;
      case 'PM':
      case 'pm': {
        const m = text.slice(i, i + 2).toUpperCase();
        if (m !== 'AM' && m !== 'PM') fail();
        fields.pm = m === 'PM' ? 1 : 0;
        i += 2;
        break;
      }
      case '.000':
      case '.999': {
        const m = /^\.(\d+)/.exec(text.slice(i));
        if (!m) {
          if (el === '.000') fail();
          break;
        }
        i += m[0].length;
        fields.ms = Number(`0.${m[1]}`) * 1000;
        break;
      }
      case 'MST': {
        const m = /^[A-Z]{3,4}/.exec(text.slice(i));
        if (!m) fail();
        i += (m as RegExpExecArray)[0].length;
        break;
      }
      case 'Z07:00':
      case 'Z0700':
      case '-07:00':
      case '-0700':
      case '-07': {
        if (el.startsWith('Z') && text[i] === 'Z') {
          i++;
          break;
        }
        const m = /^([+-])(\d\d):?(\d\d)?/.exec(text.slice(i));
        if (!m) fail();
        const mm = m as RegExpExecArray;
        i += mm[0].length;
        fields.off = (mm[1] === '-' ? -1 : 1) * (Number(mm[2]) * 60 + Number(mm[3] ?? 0));
        break;
      }
      default:
        if (text[i] !== el) fail();
        i++;
    }
  }
  if (i !== text.length) fail();
  if (fields.pm === 1 && fields.h < 12) fields.h += 12;
  if (fields.pm === 0 && fields.h === 12) fields.h = 0;
  if (
    fields.mo < 1 ||
    fields.mo > 12 ||
    fields.d < 1 ||
    fields.d > 31 ||
    fields.h > 23 ||
    fields.mi > 59 ||
    fields.s > 59
  ) {
    throw expressionError(`parsing time "${text}": value out of range`);
  }
  const ms =
    Date.UTC(fields.y, fields.mo - 1, fields.d, fields.h, fields.mi, fields.s, fields.ms) -
    fields.off * 60_000;
  return new GoTime(ms, fields.off);
}

/** The layouts expr's `date()` tries when none is given. */
export const DEFAULT_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00',
  '2006-01-02T15:04:05.999Z07:00',
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

/** Tries each layout in turn. */
export function parseAny(text: string, layouts: string[] = DEFAULT_LAYOUTS): GoTime {
  for (const l of layouts) {
    try {
      return parseLayout(l, text);
    } catch {
      // the next layout may fit
    }
  }
  throw expressionError(`cannot parse ${JSON.stringify(text)} as date`);
}
