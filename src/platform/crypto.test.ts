import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../store/index.js';
import { createSecretBox, loadSecretKey, secretContext } from './crypto.js';
import { deliverApplication } from './delivery.js';

describe('secret keys and sealing', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-crypto-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the key once, mode 0600, and reuses it', () => {
    const data = path.join(dir, 'a');
    const key = loadSecretKey({ dataDir: data });
    expect(key).toHaveLength(32);
    expect(statSync(path.join(data, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ dataDir: data }).equals(key)).toBe(true);
  });

  it('takes PLINTH_SECRET_KEY first and refuses one of the wrong size', () => {
    const given = Buffer.alloc(32, 7).toString('base64');
    expect(loadSecretKey({ keyBase64: given, dataDir: path.join(dir, 'b') })).toEqual(
      Buffer.alloc(32, 7),
    );
    expect(() => loadSecretKey({ keyBase64: 'c2hvcnQ=', dataDir: dir })).toThrow(/32 bytes/);
  });

  it('seals with AES-256-GCM: a fresh IV each time, bound to its context, tamper-evident', () => {
    const box = createSecretBox(Buffer.alloc(32, 1));
    const a = box.seal('pa55', 'ctx');
    expect(a).not.toContain('pa55');
    expect(box.seal('pa55', 'ctx')).not.toBe(a);
    expect(box.open(a, 'ctx')).toBe('pa55');
    expect(() => box.open(a, 'other')).toThrow(/cannot be decrypted/);
    const [v, iv, tag, body] = a.split(':');
    const flipped = Buffer.from(body ?? '', 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join(':'), 'ctx')).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(a, 'ctx')).toThrow(/secret key differs/);
  });
});

describe('delivery with kubectl', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-kubectl-'));
    store = await createSqliteStore({ filename: ':memory:' });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the manifests and the Secret through stdin, never through a file', async () => {
    const key = loadSecretKey({ dataDir: dir });
    const box = createSecretBox(key);
    await store.applications.addConfigVersion({
      environment: 'prod',
      application: 'api',
      values: { MODE: 'live' },
      sealedSecrets: { TOKEN: box.seal('tok-123', secretContext('prod', 'api', 'TOKEN')) },
      createdBy: 'a',
      createdAt: new Date().toISOString(),
    });
    // A kubectl stand-in (a real process) that keeps what it was given.
    const record = path.join(dir, 'record');
    const kubectl = path.join(dir, 'kubectl');
    writeFileSync(
      kubectl,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${record}.args\ncat > ${record}.stdin\necho deployment.apps/api\n`,
    );
    chmodSync(kubectl, 0o755);
    const before = readdirSync(dir).length;
    const delivery = await deliverApplication(
      { store, secretKey: key, dataDir: dir },
      {
        environment: 'prod',
        application: 'api',
        image: 'api:1',
        version: '1',
        replicas: 1,
        port: 80,
        target: 'kubectl',
        kubeconfig: '/etc/kube/prod',
        kubectl,
      },
    );
    expect(delivery).toMatchObject({ configVersion: 1, target: '/etc/kube/prod' });
    expect(delivery.revision).toMatch(/^kubectl-[0-9a-f]{12}$/);
    expect(readFileSync(`${record}.args`, 'utf8').trim().split('\n')).toEqual([
      'apply',
      '--kubeconfig',
      '/etc/kube/prod',
      '--namespace',
      'prod',
      '--output',
      'name',
      '--filename',
      '-',
    ]);
    const stdin = readFileSync(`${record}.stdin`, 'utf8');
    expect(stdin).toContain('kind: Secret');
    expect(stdin).toContain('TOKEN: tok-123');
    expect(stdin).toContain('MODE: live');
    // Only the stand-in's own record files are new: nothing else was written.
    expect(readdirSync(dir).length).toBe(before + 2);
  });
});
