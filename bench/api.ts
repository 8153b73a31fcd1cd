import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { startPlatform } from '../src/server/index.js';

const connections = 16;
const durationSeconds = 2;
/** Bare and Plinth take turns, so that load from other work on the machine falls on both alike. */
const rounds = 5;
const token = 'plinth_bench_admin_token_0123456789';

async function load(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections, duration: durationSeconds, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

/**
 * An authenticated environment read against a bare Fastify route answering a
 * constant: the same document Plinth answers, taken once before the load, so
 * that both send the same bytes and the ratio is what Plinth adds to a read.
 */
export async function benchApi(): Promise<Record<string, number>> {
  const bare = Fastify();
  let constant: unknown = {};
  bare.get('/api/v1/environments/:name', async () => constant);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-api-'));
  const config = loadConfig({
    env: {},
    flags: { dataDir, port: 0, eventSourcePorts: '12000=0', adminToken: token },
  });
  // The default level, written nowhere: log lines cost what they cost in production.
  const destination = fs.createWriteStream(os.devNull);
  const logger = createLogger({ level: config.logLevel, destination });
  const platform = await startPlatform(config, { logger });
  try {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${platform.urls.api}/api/v1/environments`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'demo', region: 'eastus2' }),
    });
    if (created.status !== 202) throw new Error(`create answered ${created.status}`);
    const bareUrl = `http://127.0.0.1:${barePort}/api/v1/environments/demo`;
    const plinthUrl = `${platform.urls.api}/api/v1/environments/demo`;
    const authorization = { authorization: `Bearer ${token}` };
    await load(plinthUrl, authorization);
    const read = await fetch(plinthUrl, { headers: authorization });
    if (read.status !== 200) throw new Error(`read answered ${read.status}`);
    constant = await read.json();
    await load(bareUrl);
    const ratios: number[] = [];
    let bareRate = 0;
    let plinthRate = 0;
    for (let round = 0; round < rounds; round++) {
      const bareRound = await load(bareUrl);
      const plinthRound = await load(plinthUrl, authorization);
      ratios.push(plinthRound / bareRound);
      bareRate += bareRound / rounds;
      plinthRate += plinthRound / rounds;
    }
    ratios.sort((a, b) => a - b);
    return {
      'api: GET environment req/s, Plinth / bare Fastify (median of rounds)':
        ratios[Math.floor(rounds / 2)] ?? 0,
      'api: GET environment req/s, Plinth': plinthRate,
      'api: GET environment req/s, bare Fastify': bareRate,
    };
  } finally {
    await platform.stop();
    await bare.close();
    destination.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
