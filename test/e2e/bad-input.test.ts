import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plinth, root, startServer, tempDir, type Server } from '../support/process.js';

describe('bad input gets a clear answer and loses nothing', () => {
  it('stops `plinth up` on a manifest written with the seed\'s "//" comments, naming the file, line and fix', async () => {
    const catalog = tempDir('plinth-bad-catalog-');
    fs.cpSync(path.join(root, 'catalog'), catalog, { recursive: true });
    const printed = fs.readFileSync(
      path.join(root, 'src/catalog/testdata/eventbus-as-printed.yaml.txt'),
      'utf8',
    );
    fs.writeFileSync(path.join(catalog, 'events', 'eventbus.yaml'), printed);
    const line = printed.split('\n').findIndex((l) => l.trimStart().startsWith('//')) + 1;
    const result = await plinth([
      'up',
      '--catalog',
      catalog,
      '--data-dir',
      tempDir('plinth-bad-data-'),
      '--port',
      '0',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(catalog, 'events', 'eventbus.yaml')}:${line}:`);
    expect(result.stderr).toContain('use "#"');
  });

  describe('against a running platform', () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers 401 to a write without a token', async () => {
      const res = await fetch(`${server.api}/api/v1/environments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'demo', region: 'eastus2' }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });

    it('answers 400 naming the field and the fix for a name that is not a DNS label', async () => {
      const res = await fetch(`${server.api}/api/v1/environments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ name: 'Not_A_Label', region: 'eastus2' }),
      });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: { field: string; fix?: string }[] };
      expect(problem.errors[0]?.field).toMatch(/name/);
      expect(problem.errors[0]?.fix).toBeTruthy();
    });

    it('answers 404 for an unknown environment and run, and the CLI says so', async () => {
      const env = { PLINTH_SERVER: server.api, PLINTH_TOKEN: server.token };
      const missing = await plinth(['env', 'get', 'nowhere'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/nowhere/);
      const res = await fetch(`${server.api}/api/v1/runs/environment-nope1`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(res.status).toBe(404);
    });

    it('refuses a webhook body that is not JSON with 400, and a wrong method as Argo does', async () => {
      const notJson = await fetch(`${server.webhook}/environments`, {
        method: 'POST',
        body: 'name=x',
      });
      expect(notJson.status).toBe(400);
      const wrongMethod = await fetch(`${server.webhook}/environments`, {
        method: 'PUT',
        body: '{}',
      });
      expect(wrongMethod.status).toBe(400);
      const runs = await fetch(`${server.api}/api/v1/runs`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(((await runs.json()) as { items: unknown[] }).items).toHaveLength(0);
    });
  });
});
