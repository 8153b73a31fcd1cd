import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../../store/index.js';
import {
  createWorkflowEngine,
  parseWorkflow,
  runToCompletion,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from '../index.js';

const fixture = (name: string) =>
  parseWorkflow(readFileSync(join(import.meta.dirname, '..', 'testdata', name), 'utf8'));

function inline(yaml: string): Workflow {
  return parseWorkflow(`apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n${yaml}`);
}

function byName(wf: Workflow, name: string): NodeStatus {
  const node = Object.values(wf.status?.nodes ?? {}).find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  return node;
}

describe('artifacts, http and data templates', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let server: Server;
  let base: string;
  const seen: { url: string; method: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-artifacts-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    engine = createWorkflowEngine({
      store,
      logger: pino({ level: 'silent' }),
      dataDir: dir,
      graceSeconds: 1,
    });
    await engine.start();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
        if (req.url === '/hello') {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('hello from plinth');
        } else if (req.url === '/created' && req.method === 'POST') {
          const ok = (JSON.parse(body) as { name?: string }).name === 'plinth';
          res.writeHead(ok ? 201 : 400);
          res.end('created');
        } else if (req.url === '/tool') {
          res.end('#!/bin/sh\necho tool ran\n');
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('late'), 3000).unref();
        } else {
          res.writeHead(404);
          res.end('not found');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes an artifact from one step to the next, kept in the local repository', async () => {
    const wf = await runToCompletion(engine, fixture('artifact-passing.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const gen = byName(wf, 'artifact-passing[0].generate-artifact');
    const key = `${wf.metadata.uid}/${gen.id}/hello-art.tgz`;
    expect(gen.outputs?.artifacts).toEqual([
      { name: 'hello-art', path: 'hello_world.txt', local: { key } },
    ]);
    expect(existsSync(join(dir, 'artifacts', key))).toBe(true);
    const consume = byName(wf, 'artifact-passing[1].consume-artifact');
    expect(consume.inputs?.artifacts).toEqual([
      { name: 'message', path: 'tmp/message', local: { key } },
    ]);
    expect(consume.outputs?.result).toBe('hello world');
  });

  it('saves a key-only output artifact under its key, where a later input finds a file of it', async () => {
    const wf = await runToCompletion(engine, fixture('key-only-artifact.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const key = `pantry/${wf.metadata.name}/shelf`;
    expect(byName(wf, `${wf.metadata.name}.stock`).outputs?.artifacts).toEqual([
      { name: 'shelf', path: 'shelf', s3: { key } },
    ]);
    // A directory kept under a key: a later input can name one file inside it.
    expect(readFileSync(join(dir, 'artifacts', key, 'jars.txt'), 'utf8')).toBe(
      'three jars of honey\n',
    );
    expect(byName(wf, `${wf.metadata.name}.count`).outputs?.result).toBe('three jars of honey');
  });

  it('passes directories, raw or archived, and publishes global and DAG output artifacts', async () => {
    const wf = await runToCompletion(engine, fixture('artifact-dag.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const make = byName(wf, 'artifact-dag.make');
    expect(make.outputs?.artifacts?.map((a) => a.name)).toEqual(['tree', 'plain']);
    const plain = make.outputs?.artifacts?.[1];
    expect(plain?.local).toEqual({ key: `${wf.metadata.uid}/${make.id}/plain` });
    expect(byName(wf, 'artifact-dag.read').outputs?.result).toBe('one two three ');
    expect(byName(wf, 'artifact-dag.global').outputs?.result).toBe('three');
    const root = byName(wf, 'artifact-dag');
    expect(root.outputs?.artifacts?.[0]).toMatchObject({ name: 'result' });
    expect(root.outputs?.artifacts?.[0]?.local).toEqual(
      byName(wf, 'artifact-dag.read').outputs?.artifacts?.[0]?.local,
    );
    expect(wf.status?.outputs?.artifacts?.map((a) => a.name).sort()).toEqual([
      'kept-plain',
      'summary',
    ]);
  });

  it('materialises raw artifacts with their tags replaced', async () => {
    const wf = await runToCompletion(engine, fixture('input-artifact-raw.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'input-artifact-raw').outputs?.result).toBe(
      'this is\nthe raw file\ncontents for world',
    );
  });

  it('downloads http artifacts, and a failed download is an Error node', async () => {
    const ok = await runToCompletion(engine, fixture('input-artifact-http.yaml'), {
      parameters: { url: `${base}/tool` },
    });
    expect(ok.status?.phase).toBe('Succeeded');
    expect(byName(ok, 'input-artifact-http').outputs?.result).toBe('tool ran');

    const missing = fixture('input-artifact-http.yaml');
    missing.metadata.name = 'input-artifact-http-404';
    const bad = await runToCompletion(engine, missing, { parameters: { url: `${base}/nope` } });
    expect(bad.status?.phase).toBe('Error');
    expect(byName(bad, 'input-artifact-http-404')).toMatchObject({
      phase: 'Error',
      message: `failed to load artifact 'tool': GET ${base}/nope returned 404`,
    });
  });

  it('gives the artifacts and output parameters paths by tag', async () => {
    const wf = await runToCompletion(engine, fixture('artifact-path-placeholders.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const node = byName(wf, 'artifact-path-placeholders');
    expect(node.outputs?.result).toBe('');
    expect(node.outputs?.parameters).toEqual([{ name: 'actual-lines-count', value: '2' }]);
    expect(node.outputs?.artifacts?.[0]).toMatchObject({ name: 'text', path: 'outputs/text/data' });
  });

  it('fails a node whose required artifacts are missing, with Argo messages', async () => {
    const wf = await runToCompletion(
      engine,
      inline(`metadata: {name: missing-artifacts}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: needs-input, template: needs-input, continueOn: {error: true}}
          - {name: optional-input, template: optional-input}
          - {name: lost-output, template: lost-output, continueOn: {error: true}}
    - name: needs-input
      inputs: {artifacts: [{name: config, path: config.yaml}]}
      container: {image: alpine, command: [cat, config.yaml]}
    - name: optional-input
      inputs: {artifacts: [{name: config, path: config.yaml, optional: true}]}
      container: {image: alpine, command: [sh, -c, 'test ! -e config.yaml && echo absent']}
    - name: lost-output
      container: {image: alpine, command: ['true']}
      outputs: {artifacts: [{name: report, path: report.txt}]}
`),
    );
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'missing-artifacts[0].needs-input')).toMatchObject({
      phase: 'Error',
      message: "required artifact 'config' not supplied",
    });
    expect(byName(wf, 'missing-artifacts[0].optional-input').outputs?.result).toBe('absent');
    expect(byName(wf, 'missing-artifacts[0].lost-output')).toMatchObject({
      phase: 'Error',
      message: 'failed to save outputs: stat report.txt: no such file or directory',
    });
  });

  it('chooses an artifact with fromExpression', async () => {
    const wf = await runToCompletion(
      engine,
      inline(`metadata: {name: conditional-artifacts}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: flip, template: emit, arguments: {parameters: [{name: text, value: heads}]}}
          - {name: other, template: emit, arguments: {parameters: [{name: text, value: tails}]}}
        - - name: show
            template: show
            arguments:
              artifacts:
                - name: coin
                  fromExpression: "steps.flip.outputs.result == 'heads' ? steps.flip.outputs.artifacts.out : steps.other.outputs.artifacts.out"
    - name: emit
      inputs: {parameters: [{name: text}]}
      script:
        image: alpine
        command: [sh]
        source: 'echo {{inputs.parameters.text}} | tee out.txt'
      outputs: {artifacts: [{name: out, path: out.txt}]}
    - name: show
      inputs: {artifacts: [{name: coin, path: coin.txt}]}
      container: {image: alpine, command: [cat, coin.txt]}
`),
    );
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'conditional-artifacts[1].show').outputs?.result).toBe('heads');
  });

  it('runs http templates against a real server with successCondition', async () => {
    const wf = await runToCompletion(engine, fixture('http-hello-world.yaml'), {
      parameters: { base },
    });
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'http-hello-world[0].good')).toMatchObject({
      type: 'HTTP',
      phase: 'Succeeded',
      outputs: { result: 'hello from plinth' },
    });
    expect(byName(wf, 'http-hello-world[0].bad')).toMatchObject({
      type: 'HTTP',
      phase: 'Failed',
      message: 'received non-2xx response code: 404',
    });
    expect(byName(wf, 'http-hello-world[0].status-is-201').phase).toBe('Succeeded');
    expect(byName(wf, 'http-hello-world[0].body-contains').phase).toBe('Succeeded');
    expect(byName(wf, 'http-hello-world[1].echo').outputs?.result).toBe('hello from plinth');
    const hello = seen.find((s) => s.url === '/hello');
    expect(hello?.headers['x-header-name']).toBe('test-value');
  });

  it('fails an http node on a false condition or a timeout', async () => {
    const wf = await runToCompletion(
      engine,
      inline(`metadata: {name: http-failures}
spec:
  entrypoint: main
  arguments: {parameters: [{name: base}]}
  templates:
    - name: main
      steps:
        - - {name: condition, template: condition}
          - {name: slow, template: slow}
    - name: condition
      http:
        url: '{{workflow.parameters.base}}/hello'
        successCondition: response.statusCode == 201
    - name: slow
      http:
        url: '{{workflow.parameters.base}}/slow'
        timeoutSeconds: 1
`),
      { parameters: { base } },
    );
    expect(wf.status?.phase).toBe('Failed');
    expect(byName(wf, 'http-failures[0].condition')).toMatchObject({
      phase: 'Failed',
      message: "successCondition 'response.statusCode == 201' evaluated false",
      outputs: { result: 'hello from plinth' },
    });
    expect(byName(wf, 'http-failures[0].slow')).toMatchObject({
      phase: 'Failed',
      message: `GET ${base}/slow: context deadline exceeded`,
    });
  });

  it('ends an http request in flight when the Workflow is terminated', async () => {
    const wf = inline(`metadata: {name: http-terminated}
spec:
  entrypoint: slow
  arguments: {parameters: [{name: base}]}
  templates:
    - name: slow
      http: {url: '{{workflow.parameters.base}}/slow'}
`);
    const done = runToCompletion(engine, wf, { parameters: { base } });
    for (;;) {
      const current = await engine.get('default', 'http-terminated');
      if (current?.status?.nodes?.[Object.keys(current.status.nodes)[0] ?? '']?.phase === 'Running')
        break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await engine.terminate('default', 'http-terminated');
    const ended = await done;
    expect(ended.status?.phase).toBe('Failed');
    expect(byName(ended, 'http-terminated')).toMatchObject({
      type: 'HTTP',
      phase: 'Failed',
      message: "Stopped with strategy 'Terminate'",
    });
  });

  it('checks TLS certificates unless insecureSkipVerify is set', async () => {
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const tls = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
      res.end('secure hello'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
      const wf = await runToCompletion(
        engine,
        inline(`metadata: {name: http-tls}
spec:
  entrypoint: main
  arguments: {parameters: [{name: url}]}
  templates:
    - name: main
      steps:
        - - {name: strict, template: strict, continueOn: {failed: true}}
          - {name: insecure, template: insecure}
    - name: strict
      http: {url: '{{workflow.parameters.url}}'}
    - name: insecure
      http: {url: '{{workflow.parameters.url}}', insecureSkipVerify: true}
`),
        { parameters: { url } },
      );
      expect(wf.status?.phase).toBe('Succeeded');
      expect(byName(wf, 'http-tls[0].strict')).toMatchObject({ phase: 'Failed' });
      expect(byName(wf, 'http-tls[0].strict').message).toMatch(/self.signed certificate/);
      expect(byName(wf, 'http-tls[0].insecure').outputs?.result).toBe('secure hello');
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('lists artifacts with a data template and transforms the list', async () => {
    const wf = await runToCompletion(engine, fixture('data-transformations.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const list = byName(wf, 'data-transformations[1].list-log-files');
    expect(list.type).toBe('Pod');
    const keys = JSON.parse(list.outputs?.result ?? '[]') as string[];
    expect(keys).toHaveLength(2);
    for (const k of keys)
      expect(k).toMatch(new RegExp(`^${wf.metadata.uid}/.+/logs/[ab]/main\\.log$`));
    const results = Object.values(wf.status?.nodes ?? {})
      .filter((n) => n.name.startsWith('data-transformations[2].process-logs(') && n.type === 'Pod')
      .map((n) => n.outputs?.result)
      .sort();
    expect(results).toEqual(['first', 'second']);
  });
});
