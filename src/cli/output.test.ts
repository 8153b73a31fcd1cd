import { describe, it, expect } from 'vitest';
import { colorEnabled, createOutput, formatDuration, formatTable } from './output.js';

describe('colorEnabled', () => {
  it('colours a terminal unless NO_COLOR is set or TERM is dumb', () => {
    const tty = { write: () => undefined, isTTY: true };
    const pipe = { write: () => undefined };
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});

describe('formatTable', () => {
  it('aligns columns two spaces apart with upper-case headers and no trailing blanks', () => {
    const text = formatTable(
      ['name', 'status', 'message'],
      [
        ['dev', 'Ready', ''],
        ['production', { text: 'Failed', style: 'red' }, 'apply failed'],
      ],
    );
    expect(text).toBe(
      'NAME        STATUS  MESSAGE\n' +
        'dev         Ready\n' +
        'production  Failed  apply failed\n',
    );
  });

  it('keeps the alignment when cells are coloured', () => {
    let written = '';
    const out = createOutput({
      stdout: { write: (s: string) => void (written += s), isTTY: true },
      stderr: { write: () => undefined },
      env: {},
    });
    out.table(
      ['phase', 'id'],
      [
        [{ text: 'Failed', style: 'red' }, 'r1'],
        ['Pending', 'r2'],
      ],
    );
    expect(written).toBe('PHASE    ID\n\u001b[31mFailed\u001b[39m   r1\nPending  r2\n');
  });

  it('prints -o json as indented JSON', () => {
    let written = '';
    const out = createOutput({
      stdout: { write: (s: string) => void (written += s) },
      stderr: { write: () => undefined },
      env: {},
      format: 'json',
    });
    out.json({ items: [{ name: 'dev' }] });
    expect(JSON.parse(written)).toEqual({ items: [{ name: 'dev' }] });
    expect(written.endsWith('\n')).toBe(true);
  });
});

describe('formatDuration', () => {
  it('writes durations as Argo does', () => {
    expect(formatDuration(400)).toBe('0s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(3_780_000)).toBe('1h3m');
    expect(formatDuration(3 * 86_400_000)).toBe('3d');
  });
});
