import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyWithKubectl,
  deliverToGit,
  kubectlApplyArgs,
  renderFiles,
  renderObjects,
  renderSecret,
  toYamlStream,
  type ApplicationSpec,
} from './index.js';

const spec: ApplicationSpec = {
  environment: 'dev1',
  namespace: 'team-dev1',
  name: 'web',
  image: 'ghcr.io/acme/web:1.2.3',
  version: '1.2.3',
  replicas: 2,
  port: 8080,
  configVersion: 4,
  values: { MODE: 'on', LOG_LEVEL: 'info' },
  secretNames: ['API_KEY'],
};

describe('rendering', () => {
  it('renders a Deployment, Service and ConfigMap that reference each other', () => {
    const [deployment, service, configMap] = renderObjects(spec) as Record<
      string,
      unknown
    >[] as unknown as {
      spec: {
        template: {
          metadata: { labels: Record<string, string>; annotations: Record<string, string> };
          spec: { containers: unknown[] };
        };
      };
      data?: unknown;
    }[];
    expect(deployment).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'team-dev1' },
      spec: { replicas: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
    });
    const pod = deployment!.spec.template;
    expect(pod.metadata.labels['app.kubernetes.io/name']).toBe('web');
    expect(pod.metadata.annotations['plinth.dev/config-version']).toBe('4');
    expect(pod.spec.containers[0]).toEqual({
      name: 'web',
      image: 'ghcr.io/acme/web:1.2.3',
      ports: [{ name: 'http', containerPort: 8080 }],
      envFrom: [{ configMapRef: { name: 'web-config' } }, { secretRef: { name: 'web-secrets' } }],
    });
    expect(service).toMatchObject({
      kind: 'Service',
      spec: { selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ port: 8080 }] },
    });
    expect(configMap).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'web-config' } });
    expect(configMap?.data).toEqual({ LOG_LEVEL: 'info', MODE: 'on' });
  });

  it('writes YAML that Kubernetes reads back as strings, and files without secrets', () => {
    const files = renderFiles(spec);
    expect(files.map((f) => f.path)).toEqual(['deployment.yaml', 'service.yaml', 'configmap.yaml']);
    const cm = files[2]?.content ?? '';
    expect(cm).toContain('MODE: "on"');
    expect(files.map((f) => f.content).join('')).not.toMatch(/kind: Secret/);
    const stream = toYamlStream([...renderObjects(spec), renderSecret(spec, { API_KEY: 'k' })]);
    const docs = parseAllDocuments(stream).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'ConfigMap', 'Secret']);
    expect(docs[3]).toMatchObject({ type: 'Opaque', stringData: { API_KEY: 'k' } });
  });
});

describe('delivery', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-k8s-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('commits to a local repository, one commit per delivery, the sha as revision', async () => {
    const repoDir = path.join(dir, 'gitops', 'dev1');
    const change = { folder: 'apps/web', files: renderFiles(spec), message: 'Deploy web 1.2.3' };
    const first = await deliverToGit({ repoDir }, change);
    const second = await deliverToGit({ repoDir }, change);
    const git = (...a: string[]) =>
      execFileSync('git', a, { cwd: repoDir, encoding: 'utf8' }).trim();
    expect(first.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(second.revision).not.toBe(first.revision);
    expect(git('rev-parse', 'HEAD')).toBe(second.revision);
    expect(git('rev-list', '--count', 'HEAD')).toBe('2');
    expect(git('log', '-1', '--format=%s %an')).toBe('Deploy web 1.2.3 Plinth');
  });

  it('serializes concurrent deliveries to one repository', async () => {
    const repoDir = path.join(dir, 'gitops', 'busy');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        deliverToGit(
          { repoDir },
          { folder: `apps/${name}`, files: renderFiles({ ...spec, name }), message: name },
        ),
      ),
    );
    expect(new Set(results.map((r) => r.revision)).size).toBe(3);
    const files = execFileSync('git', ['ls-files'], { cwd: repoDir, encoding: 'utf8' });
    expect(files.trim().split('\n')).toHaveLength(9);
  });

  it('clones a remote and pushes each commit to it', async () => {
    const remote = path.join(dir, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const one = await deliverToGit(
      { repoDir: path.join(dir, 'clone-1'), remote },
      { folder: 'apps/web', files: renderFiles(spec), message: 'first' },
    );
    // A second working copy sees the first one's commit and builds on it.
    const two = await deliverToGit(
      { repoDir: path.join(dir, 'clone-2'), remote },
      { folder: 'apps/api', files: renderFiles({ ...spec, name: 'api' }), message: 'second' },
    );
    const log = execFileSync('git', ['log', '--format=%H', 'main'], {
      cwd: remote,
      encoding: 'utf8',
    });
    expect(log.trim().split('\n')).toEqual([two.revision, one.revision]);
  });

  it('builds the kubectl command line, and reports a cluster it cannot reach', async () => {
    const target = { kubeconfig: '/tmp/kc', namespace: 'ns', dryRun: true };
    expect(kubectlApplyArgs(target)).toEqual([
      'apply',
      '--kubeconfig',
      '/tmp/kc',
      '--namespace',
      'ns',
      '--dry-run=client',
      '--output',
      'name',
      '--filename',
      '-',
    ]);
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        'users: [{name: u, user: {token: t}}]',
      ].join('\n'),
    );
    // kubectl needs the API server even for --dry-run=client (discovery), so this fails cleanly.
    const err = await applyWithKubectl(
      { kubeconfig, namespace: 'ns', dryRun: true },
      toYamlStream(renderObjects(spec)),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'PROCESS_FAILED',
      message: expect.stringMatching(/kubectl apply failed/),
    });
    expect(readFileSync(kubeconfig, 'utf8')).toContain('127.0.0.1:9');
  }, 60_000);
});
