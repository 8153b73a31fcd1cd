import { goJsonOfMap, goPayloadJson, goStringMap } from '../cloud-event.js';
import type { GithubEventSource } from '../types.js';
import { checkSignature } from './signature.js';
import { answer, type Verdict } from './verdict.js';

/** The payload Argo Events puts in a github event. */
export interface GithubEventData {
  headers: Record<string, string[]>;
  body: Record<string, unknown>;
  metadata?: Record<string, string>;
}

export interface GitRequest {
  /** Canonical header names, as Go's `http.Header` holds them. */
  headers: Record<string, string[]>;
  body: Buffer;
}

const first = (headers: Record<string, string[]>, name: string) => headers[name]?.[0];

/**
 * Decides what one GitHub webhook delivery becomes, as Argo's github source
 * does: signature (`X-Hub-Signature-256`, else `X-Hub-Signature`) when a
 * webhook secret is set, JSON or form-encoded `payload`, and the event and
 * delivery headers copied into the body. Beyond Argo (which asks GitHub for
 * only those events), deliveries whose `X-GitHub-Event` is not in `events`
 * are answered 200 and dropped, a `ping` among them.
 */
export function githubVerdict(
  spec: GithubEventSource,
  secret: string | undefined,
  req: GitRequest,
): Verdict {
  if (secret) {
    const signature =
      first(req.headers, 'X-Hub-Signature-256') || first(req.headers, 'X-Hub-Signature');
    const problem = checkSignature(signature, secret, req.body);
    if (problem !== undefined) return answer(400, problem);
  }
  const contentType = (first(req.headers, 'Content-Type') ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  let raw: string;
  if (contentType === 'application/json') {
    raw = req.body.toString('utf8');
  } else if (contentType === 'application/x-www-form-urlencoded') {
    raw = new URLSearchParams(req.body.toString('utf8')).get('payload') ?? '';
  } else {
    return answer(
      400,
      `webhook request has unsupported Content-Type ${JSON.stringify(contentType)}`,
    );
  }
  const event = first(req.headers, 'X-Github-Event') ?? '';
  const events = spec.events ?? [];
  if (!events.includes('*') && !events.includes(event)) {
    return answer(200, event === 'ping' ? 'pong' : `event ${JSON.stringify(event)} ignored`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return answer(400, 'the request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return answer(400, 'the request body is not a JSON object');
  }
  const payload = body as Record<string, unknown>;
  payload['X-GitHub-Event'] = event;
  payload['X-GitHub-Delivery'] = first(req.headers, 'X-Github-Delivery') ?? '';
  const data: GithubEventData = { headers: req.headers, body: payload };
  const metadata = goStringMap(spec.metadata);
  if (metadata !== undefined) data.metadata = metadata;
  // Argo decodes the body into a map and marshals it again: keys come out sorted.
  const json = goPayloadJson('headers', req.headers, goJsonOfMap(payload), metadata);
  return { kind: 'publish', data, json };
}
