import { benchApi } from './api.js';
import { benchEngine } from './engine.js';
import { benchEvents } from './events.js';

/**
 * `npm run bench`: ratios measured in one run on this machine (never timed
 * tests: the machine is shared and noisy). Record them in docs/performance.md.
 */
const suites: Record<string, () => Promise<Record<string, number>>> = {
  engine: benchEngine,
  events: benchEvents,
  api: benchApi,
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const results = await run();
  for (const [what, value] of Object.entries(results)) {
    console.log(`${what.padEnd(60)} ${value.toFixed(2)}`);
  }
}
