import { describe, expect, it } from 'vitest';
import { CRASH_AT_ENV, CrashPoint, createFaultInjector } from './faults.js';

const settled = async (p: Promise<void>): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60))]);

describe('createFaultInjector', () => {
  it('passes every point when the variable is unset', async () => {
    let killed = 0;
    const fault = createFaultInjector({}, () => killed++);
    for (const point of Object.values(CrashPoint)) expect(await settled(fault(point))).toBe(true);
    expect(killed).toBe(0);
  });

  it('holds and kills at the N-th time the armed point is reached, and only there', async () => {
    let killed = 0;
    const fault = createFaultInjector(
      { [CRASH_AT_ENV]: `${CrashPoint.AfterSubmit}#2` },
      () => killed++,
    );
    expect(await settled(fault(CrashPoint.BeforeTrigger))).toBe(true);
    expect(await settled(fault(CrashPoint.AfterSubmit))).toBe(true);
    expect(await settled(fault(CrashPoint.AfterSubmit))).toBe(false);
    expect(killed).toBe(1);
    expect(await settled(fault(CrashPoint.AfterSubmit))).toBe(true);
    expect(killed).toBe(1);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => createFaultInjector({ [CRASH_AT_ENV]: 'sensor:before-handle#0' })).toThrow(
      /positive integer/,
    );
  });
});
