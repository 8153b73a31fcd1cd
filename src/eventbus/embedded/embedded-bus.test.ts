import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { EmbeddedEventBus, embeddedBusFile } from './embedded-bus.js';

const logger = pino({ level: 'silent' });

describe('EmbeddedEventBus', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-embedded-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its state in one SQLite file in the directory it is given', async () => {
    const nested = path.join(dir, 'a', 'b');
    const bus = await EmbeddedEventBus.create({ dir: nested, logger });
    await bus.close();
    expect(fs.existsSync(path.join(nested, embeddedBusFile))).toBe(true);
  });

  it('refuses a second bus on the same directory while the first is open', async () => {
    const first = await EmbeddedEventBus.create({ dir, logger });
    try {
      await expect(EmbeddedEventBus.create({ dir, logger })).rejects.toSatisfy(
        (err: unknown) =>
          isPlinthError(err, 'BUS_UNAVAILABLE') && /another Plinth process/.test(err.message),
      );
    } finally {
      await first.close();
    }
    const again = await EmbeddedEventBus.create({ dir, logger });
    await again.close();
  });
});
