import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { startPlatform } from '../src/server/index.js';

const connections = 16;
const durationSeconds = 4;
const token = 'plinth_bench_admin_token_0123456789';

async function load(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections, duration: durationSeconds, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

/** An authenticated environment read against a bare Fastify route answering a constant. */
export async function benchApi(): Promise<Record<string, number>> {
  const bare = Fastify();
  const constant = { name: 'demo', status: 'Ready', outputs: { region: 'eastus2' } };
  bare.get('/api/v1/environments/:name', async () => constant);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-api-'));
  const config = loadConfig({
    env: {},
    flags: { dataDir, port: 0, eventSourcePorts: '12000=0', adminToken: token, logLevel: 'silent' },
  });
  const platform = await startPlatform(config, { logger: pino({ level: 'silent' }) });
  try {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${platform.urls.api}/api/v1/environments`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'demo', region: 'eastus2' }),
    });
    if (created.status !== 202) throw new Error(`create answered ${created.status}`);
    await load(`http://127.0.0.1:${barePort}/api/v1/environments/demo`);
    const bareRate = await load(`http://127.0.0.1:${barePort}/api/v1/environments/demo`);
    const plinthRate = await load(`${platform.urls.api}/api/v1/environments/demo`, {
      authorization: `Bearer ${token}`,
    });
    return {
      'api: GET environment req/s, Plinth / bare Fastify': plinthRate / bareRate,
      'api: GET environment req/s, Plinth': plinthRate,
      'api: GET environment req/s, bare Fastify': bareRate,
    };
  } finally {
    await platform.stop();
    await bare.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
