import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { loadConfig, packageRoot, redactConfig } from './config.js';
import { renderConfigurationDoc } from './docs.js';

describe('config', () => {
  it('takes defaults, then variables, then flags', () => {
    const defaults = loadConfig({ env: {}, cwd: '/srv' });
    expect(defaults.port).toBe(8000);
    expect(defaults.host).toBe('127.0.0.1');
    expect(defaults.dataDir).toBe('/srv/.plinth');
    expect(defaults.catalogDir).toBe(path.join(packageRoot, 'catalog'));
    const fromEnv = loadConfig({
      env: { PLINTH_PORT: '9000', PLINTH_DATA_DIR: '/data' },
      cwd: '/srv',
    });
    expect(fromEnv.port).toBe(9000);
    expect(fromEnv.dataDir).toBe('/data');
    const fromFlags = loadConfig({ env: { PLINTH_PORT: '9000' }, flags: { port: '9100' } });
    expect(fromFlags.port).toBe(9100);
  });

  it('names every bad setting and its fix', () => {
    const err = (() => {
      try {
        loadConfig({
          env: {
            PLINTH_PORT: 'eighty',
            PLINTH_LOG_LEVEL: 'loud',
            PLINTH_EVENTSOURCE_PORTS: '12000',
          },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    const fields = (err as { errors: { field: string; fix?: string }[] }).errors;
    expect(fields.map((f) => f.field).sort()).toEqual(['eventSourcePorts', 'logLevel', 'port']);
    expect(fields.every((f) => f.fix)).toBe(true);
  });

  it('parses event source port remaps', () => {
    const c = loadConfig({ env: { PLINTH_EVENTSOURCE_PORTS: '12000=0, 13000=13100' } });
    expect([...c.eventSourcePorts]).toEqual([
      [12000, 0],
      [13000, 13100],
    ]);
  });

  it('never prints secrets', () => {
    const c = loadConfig({
      env: { PLINTH_ADMIN_TOKEN: 'plinth_s3cret', PLINTH_BUS_TOKEN: 'nats-s3cret' },
    });
    const shown = JSON.stringify(redactConfig(c));
    expect(shown).not.toContain('s3cret');
    expect(shown).toContain('[redacted]');
  });

  it('is documented in docs/configuration.md, which is generated (npm run docs:config)', () => {
    const doc = fs.readFileSync(path.join(packageRoot, 'docs', 'configuration.md'), 'utf8');
    expect(doc).toBe(renderConfigurationDoc());
  });
});

describe('durations', () => {
  it('reads a number and a unit as milliseconds, and names a bad one', () => {
    const c = loadConfig({
      env: { PLINTH_TTL_CHECK_INTERVAL: '30s', PLINTH_EXPIRY_WARNING: '2h' },
    });
    expect(c.ttlCheckInterval).toBe(30_000);
    expect(c.expiryWarning).toBe(7_200_000);
    expect(c.driftCheckInterval).toBe(0);
    expect(() => loadConfig({ env: { PLINTH_DRIFT_CHECK_INTERVAL: 'soon' } })).toThrow(
      /PLINTH_DRIFT_CHECK_INTERVAL.*not a duration/,
    );
  });
});
