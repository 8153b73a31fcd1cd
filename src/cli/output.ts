/** Where the CLI writes; `process.stdout` and `process.stderr` fit. */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** The output formats of client commands. */
export const OutputFormat = { table: 'table', json: 'json' } as const;
/** An output format. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** The few styles the CLI uses. */
export type Style = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';

const ansi: Record<Style, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** A table cell: text, or text with a style applied when colours are on. */
export type Cell = string | { text: string; style?: Style | undefined };

/**
 * Colours only on a terminal and never when NO_COLOR is set to a non-empty
 * value (https://no-color.org); FORCE_COLOR forces them, for tests and pagers.
 */
export function colorEnabled(stream: CliStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Writes a command's results for people (tables, lines) or scripts (`-o json`). */
export interface Output {
  readonly format: OutputFormat;
  readonly color: boolean;
  /** Applies a style when colours are on. */
  paint(text: string, style: Style | undefined): string;
  /** One line to stdout. */
  line(text?: string): void;
  /** Pretty JSON to stdout. */
  json(value: unknown): void;
  /** An aligned table with upper-case headers to stdout. */
  table(headers: string[], rows: Cell[][]): void;
  /** One line to stderr, for notes that scripts should not parse. */
  note(text: string): void;
}

/** Creates the output of one command run. */
export function createOutput(opts: {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  format?: OutputFormat;
}): Output {
  const color = colorEnabled(opts.stdout, opts.env);
  const paint = (text: string, style: Style | undefined): string => {
    if (!color || !style || text === '') return text;
    const [on, off] = ansi[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
  return {
    format: opts.format ?? 'table',
    color,
    paint,
    line: (text = '') => void opts.stdout.write(`${text}\n`),
    json: (value) => void opts.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table: (headers, rows) => void opts.stdout.write(formatTable(headers, rows, paint)),
    note: (text) => void opts.stderr.write(`${text}\n`),
  };
}

function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/** Display width, counting each code point as one column. */
export function width(text: string): number {
  return [...text].length;
}

/** Lays out a table: columns two spaces apart, the last one unpadded. */
export function formatTable(
  headers: string[],
  rows: Cell[][],
  paint: (text: string, style: Style | undefined) => string = (t) => t,
): string {
  const widths = headers.map((h, i) =>
    Math.max(width(h), ...rows.map((r) => width(cellText(r[i] ?? '')))),
  );
  const render = (cells: Cell[]): string =>
    cells
      .map((cell, i) => {
        const text = cellText(cell);
        const padded =
          i === cells.length - 1 ? text : text + ' '.repeat((widths[i] ?? 0) - width(text));
        return typeof cell === 'string'
          ? padded
          : paint(text, cell.style) + padded.slice(text.length);
      })
      .join('  ')
      .trimEnd();
  return [render(headers.map((h) => h.toUpperCase())), ...rows.map(render)]
    .map((l) => `${l}\n`)
    .join('');
}

/** The style that shows a phase or status at a glance. */
export function phaseStyle(phase: string | undefined): Style | undefined {
  switch (phase) {
    case 'Succeeded':
    case 'Ready':
      return 'green';
    case 'Failed':
    case 'Error':
      return 'red';
    case 'Pending':
    case 'Provisioning':
    case 'Destroying':
      return 'yellow';
    case 'Running':
      return 'cyan';
    case 'Skipped':
    case 'Omitted':
    case 'Destroyed':
      return 'dim';
    default:
      return undefined;
  }
}

/** A duration as Argo prints it: `45s`, `2m5s`, `1h3m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}

/** How long ago a timestamp was, or '' when there is none. */
export function formatAge(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : formatDuration(now - t);
}

/** The time between two timestamps (the second defaulting to now), or ''. */
export function formatSpan(
  start: string | null | undefined,
  end: string | null | undefined,
  now: number,
): string {
  if (!start) return '';
  const a = Date.parse(start);
  const b = end ? Date.parse(end) : now;
  return Number.isNaN(a) || Number.isNaN(b) ? '' : formatDuration(b - a);
}
