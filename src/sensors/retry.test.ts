import { describe, it, expect } from 'vitest';
import { durationMs } from './retry.js';

describe('durationMs', () => {
  it.each([
    ['1s', 1000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    [2_000_000_000, 2000],
    ['3000000', 3],
  ] as const)('%s is %d ms', (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });

  it('refuses what is not a Go duration', () => {
    expect(durationMs('soon')).toBeUndefined();
    expect(durationMs('1s later')).toBeUndefined();
    expect(durationMs(undefined)).toBeUndefined();
  });
});
