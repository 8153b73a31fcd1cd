import { formatFloat, formatValue, kindOf, typeName, type GoValue } from './value.js';

/** Go's `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const prev = args[i - 1];
    if (i > 0 && kindOf(arg) !== 'string' && kindOf(prev) !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** Go's `fmt.Sprintln`: operands always separated by a space, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

function pad(text: string, spec: Spec, numeric = false): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  const fill = spec.width - text.length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

function signed(text: string, spec: Spec): string {
  if (text.startsWith('-')) return text;
  if (spec.plus) return `+${text}`;
  if (spec.space) return ` ${text}`;
  return text;
}

function bad(verb: string, arg: GoValue): string {
  return `%!${verb}(${typeName(arg)}=${formatValue(arg)})`;
}

function formatOne(verb: string, arg: GoValue, spec: Spec): string {
  const kind = kindOf(arg);
  switch (verb) {
    case 'v':
      if (kind === 'float') return pad(signed(formatFloat(arg as number), spec), spec, true);
      if (kind === 'string' && spec.sharp) return pad(quote(arg as string), spec);
      return pad(formatValue(arg), spec);
    case 's':
      if (kind === 'float' || kind === 'int' || kind === 'bool') return bad(verb, arg);
      return pad(
        spec.precision === undefined
          ? formatValue(arg)
          : [...formatValue(arg)].slice(0, spec.precision).join(''),
        spec,
      );
    case 'q':
      if (kind === 'string') return pad(quote(arg as string), spec);
      if (kind === 'int') return pad(`'${String.fromCodePoint(Number(arg))}'`, spec);
      return bad(verb, arg);
    case 'd':
      if (kind === 'int') return pad(signed((arg as bigint).toString(), spec), spec, true);
      return bad(verb, arg);
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      let text: string;
      if (kind === 'int') text = (arg as bigint).toString(radix);
      else if (kind === 'string' && radix === 16) text = Buffer.from(arg as string).toString('hex');
      else return bad(verb, arg);
      if (verb === 'X') text = text.toUpperCase();
      if (spec.sharp && radix === 16) text = (verb === 'X' ? '0X' : '0x') + text.replace('-', '');
      return pad(signed(text, spec), spec, true);
    }
    case 'c':
      if (kind === 'int') return pad(String.fromCodePoint(Number(arg)), spec);
      return bad(verb, arg);
    case 't':
      if (kind === 'bool') return pad(String(arg), spec);
      return bad(verb, arg);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (kind !== 'float') return bad(verb, arg);
      const n = arg as number;
      let text: string;
      if (!Number.isFinite(n)) text = formatFloat(n);
      else if (verb === 'f' || verb === 'F') text = n.toFixed(spec.precision ?? 6);
      else if (verb === 'e' || verb === 'E') {
        text = n
          .toExponential(spec.precision ?? 6)
          .replace(/e([+-])(\d)$/, 'e$10$2')
          .replace('e', verb);
      } else {
        text =
          spec.precision === undefined
            ? formatFloat(n)
            : Number(n.toPrecision(Math.max(1, spec.precision))).toString();
        if (verb === 'G') text = text.toUpperCase();
      }
      return pad(signed(text, spec), spec, true);
    }
    default:
      return `%!${verb}(${typeName(arg)}=${formatValue(arg)})`;
  }
}

/** Go's `fmt.Sprintf` for the verbs templates use: %v %s %q %d %b %o %x %X %c %t %f %e %g, flags, width and precision. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = true;
      else break;
    }
    const readNumber = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const arg = args[next++];
        return kindOf(arg) === 'int' ? Number(arg) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    const width = readNumber();
    if (width !== undefined) spec.width = width;
    if (format[i] === '.') {
      i++;
      spec.precision = readNumber() ?? 0;
    }
    const verb = format[i];
    i++;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[next++], spec);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => `${typeName(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

/** The text of the arguments of `html`, `js` and `urlquery`: a lone string as is, otherwise fmt.Sprint. */
function evalArgs(args: readonly GoValue[]): string {
  if (args.length === 1 && kindOf(args[0]) === 'string') return args[0] as string;
  return sprint(args);
}

/** Go's `html` builtin. */
export function htmlEscape(args: readonly GoValue[]): string {
  return evalArgs(args).replace(/[\0"'&<>]/g, (c) =>
    c === '\0'
      ? '\uFFFD'
      : c === '"'
        ? '&#34;'
        : c === "'"
          ? '&#39;'
          : c === '&'
            ? '&amp;'
            : c === '<'
              ? '&lt;'
              : '&gt;',
  );
}

/** Go's `js` builtin. */
export function jsEscape(args: readonly GoValue[]): string {
  let out = '';
  for (const c of evalArgs(args)) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '\\') out += '\\\\';
    else if (c === "'") out += "\\'";
    else if (c === '"') out += '\\"';
    else if (c === '<') out += '\\u003C';
    else if (c === '>') out += '\\u003E';
    else if (c === '&') out += '\\u0026';
    else if (c === '=') out += '\\u003D';
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** Go's `urlquery` builtin (url.QueryEscape). */
export function urlQueryEscape(args: readonly GoValue[]): string {
  return encodeURIComponent(evalArgs(args))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
