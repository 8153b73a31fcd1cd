import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from '../../eventbus/index.js';
import type { CloudEventJson, EventBus } from '../../eventbus/index.js';
import { createEventSources, type EventSources } from '../event-sources.js';
import { parseEventSource } from '../parse.js';
import { checkSignature, hmacSignature } from './signature.js';
import { payloadOf } from '../cloud-event.js';

const logger = pino({ level: 'silent' });
const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
const git = parseEventSource(parse(fs.readFileSync(path.join(testdata, 'git.yaml'), 'utf8')));
const secrets: Record<string, string> = {
  'github-access/secret': "It's a Secret to Everybody",
  'github-access/token': 'ghp_unused',
  'gitlab-access/secret': 'gl-token',
  'gitlab-access/token': 'glpat-unused',
};

describe('signatures', () => {
  it("checks GitHub's documented example", () => {
    const body = Buffer.from('Hello, World!');
    const secret = "It's a Secret to Everybody";
    const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(hmacSignature('sha256', secret, body)).toBe(documented);
    expect(checkSignature(documented, secret, body)).toBeUndefined();
    expect(checkSignature(documented, 'another secret', body)).toBe(
      'payload signature check failed',
    );
    expect(checkSignature(undefined, secret, body)).toBe('missing signature');
    expect(checkSignature('757107ea', secret, body)).toMatch(/error parsing signature/);
    expect(checkSignature('sha256=zz', secret, body)).toMatch(/error decoding signature/);
  });
});

describe('github and gitlab EventSources', () => {
  let dir: string;
  let bus: EventBus;
  let received: CloudEventJson[];
  let sources: EventSources;
  let base: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-git-'));
    bus = await EmbeddedEventBus.create({ dir, logger });
    received = [];
    await bus.subscribe(
      async (m) => {
        received.push(m.event);
        await m.ack();
      },
      { durable: 'test' },
    );
    sources = createEventSources({
      eventSources: [git],
      bus,
      logger,
      host: '127.0.0.1',
      portMap: new Map([[12000, 0]]),
      resolveSecret: async (ref) => secrets[`${ref.name}/${ref.key}`],
    });
    await sources.start();
    base = new URL(sources.endpoints()[0]!.url).origin;
  });
  afterEach(async () => {
    await sources.stop();
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settle = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
    return received;
  };

  const push = { ref: 'refs/heads/main', after: 'abc123', repository: { full_name: 'acme/shop' } };
  const github = (event: string, body: string, signature?: string) =>
    fetch(`${base}/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': 'd-1',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });
  const sign = (body: string, secret = "It's a Secret to Everybody") =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('lists the endpoints with their types', () => {
    expect(sources.endpoints().map((e) => [e.type, e.eventName, new URL(e.url).pathname])).toEqual([
      ['github', 'app-repo', '/github'],
      ['gitlab', 'app-project', '/gitlab'],
    ]);
  });

  it('publishes a signed push as Argo’s github event', async () => {
    const body = JSON.stringify(push);
    const res = await github('push', body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
    const [event] = await settle(1);
    expect(event).toMatchObject({ source: 'git', subject: 'app-repo', type: 'github' });
    expect(event!.id).toBe(res.headers.get('x-plinth-event-id'));
    const data = payloadOf(event!) as { headers: Record<string, string[]>; body: object };
    expect(data.body).toEqual({ ...push, 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': 'd-1' });
    expect(data.headers['X-Github-Event']).toEqual(['push']);
    // Argo re-marshals the body as a Go map: its keys, at every depth, come out sorted.
    const text = Buffer.from(event!.data_base64 as string, 'base64').toString('utf8');
    expect(text).toContain(
      ',"body":{"X-GitHub-Delivery":"d-1","X-GitHub-Event":"push","after":"abc123","ref":"refs/heads/main","repository":{"full_name":"acme/shop"}}',
    );
    expect(text.startsWith('{"headers":{')).toBe(true);
  });

  it('refuses bad or missing signatures with 400, and publishes nothing', async () => {
    const body = JSON.stringify(push);
    const wrong = await github('push', body, sign(body, 'guess'));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toBe('payload signature check failed');
    const missing = await github('push', body);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('missing signature');
    expect(await settle(0)).toHaveLength(0);
  });

  it('answers a ping and events it does not listen to with 200, publishing nothing', async () => {
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pong = await github('ping', ping, sign(ping));
    expect(pong.status).toBe(200);
    expect(await pong.text()).toBe('pong');
    const issue = JSON.stringify({ action: 'opened' });
    expect((await github('issues', issue, sign(issue))).status).toBe(200);
    expect(await settle(0)).toHaveLength(0);
  });

  it('reads a form-encoded payload, signed over the form body', async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(push))}`;
    const res = await fetch(`${base}/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-hub-signature-256': sign(form),
      },
      body: form,
    });
    expect(res.status).toBe(200);
    const [event] = await settle(1);
    expect((payloadOf(event!) as { body: { after: string } }).body.after).toBe('abc123');
  });

  const gitlab = (event: string, token: string | undefined, body = JSON.stringify(push)) =>
    fetch(`${base}/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': event,
        ...(token === undefined ? {} : { 'x-gitlab-token': token }),
      },
      body,
    });

  it('checks the GitLab token, matches events to hook names, masks the token', async () => {
    const bad = await gitlab('Push Hook', 'nope');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('token mismatch');
    expect((await gitlab('Push Hook', undefined)).status).toBe(400);
    const note = await gitlab('Note Hook', 'gl-token');
    expect(note.status).toBe(200);
    expect((await gitlab('Tag Push Hook', 'gl-token', 'not json')).status).toBe(400);
    const ok = await gitlab('Push Hook', 'gl-token');
    expect(ok.status).toBe(200);
    const events = await settle(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'git', subject: 'app-project', type: 'gitlab' });
    const data = payloadOf(events[0]!) as { headers: Record<string, string[]>; body: object };
    expect(data.body).toEqual(push);
    expect(data.headers['X-Gitlab-Event']).toEqual(['Push Hook']);
    expect(JSON.stringify(data)).not.toContain('gl-token');
  });

  it('answers 400 to the wrong method', async () => {
    const res = await fetch(`${base}/github`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('http method does not match');
  });

  it('logs the parts that would call the GitHub and GitLab APIs, and calls nothing', async () => {
    const lines: { msg: string; ignored?: string[] }[] = [];
    const capture = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    const other = createEventSources({
      eventSources: [git],
      bus,
      logger: capture,
      host: '127.0.0.1',
      portMap: new Map([[12000, 0]]),
      resolveSecret: async (ref) => secrets[`${ref.name}/${ref.key}`],
    });
    await other.start();
    await other.stop();
    const notes = lines.filter((l) => l.msg.startsWith('not registering'));
    expect(notes.map((n) => n.ignored)).toEqual([
      ['repositories', 'apiToken', 'active', 'insecure', 'contentType', 'webhook.url'],
      ['projects', 'accessToken', 'gitlabBaseURL'],
    ]);
  });

  it('applies the filter of a github source to its payload', async () => {
    const filtered = parseEventSource({
      ...git,
      metadata: { name: 'filtered' },
      spec: {
        github: {
          main: {
            ...git.spec.github!['app-repo'],
            filter: { expression: 'main only' },
          },
        },
      },
    });
    const s = createEventSources({
      eventSources: [filtered],
      bus,
      logger,
      host: '127.0.0.1',
      portMap: new Map([[12000, 0]]),
      resolveSecret: async (ref) => secrets[`${ref.name}/${ref.key}`],
      evaluateFilter: (_e, env) => (env.body as { ref: string }).ref === 'refs/heads/main',
    });
    await s.start();
    try {
      const url = s.endpoints()[0]!.url;
      for (const ref of ['refs/heads/feature', 'refs/heads/main']) {
        const body = JSON.stringify({ ...push, ref });
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-hub-signature-256': sign(body),
          },
          body,
        });
        expect(res.status).toBe(200);
      }
      const events = await settle(1);
      expect(events.map((e) => (payloadOf(e) as { body: { ref: string } }).body.ref)).toEqual([
        'refs/heads/main',
      ]);
    } finally {
      await s.stop();
    }
  });
});
