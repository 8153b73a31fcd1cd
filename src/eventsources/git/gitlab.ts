import { compactJson, goPayloadJson, goStringMap } from '../cloud-event.js';
import type { GitlabEventSource } from '../types.js';
import type { GitRequest } from './github.js';
import { constantTimeEqual } from './signature.js';
import { answer, type Verdict } from './verdict.js';

/** The payload Argo Events puts in a gitlab event. */
export interface GitlabEventData {
  headers: Record<string, string[]>;
  body: unknown;
  metadata?: Record<string, string>;
}

/** GitLab's hook options (the `events` of the spec) and the `X-Gitlab-Event` each sends. */
export const gitlabEventHeaders: Readonly<Record<string, string>> = {
  PushEvents: 'Push Hook',
  TagPushEvents: 'Tag Push Hook',
  IssuesEvents: 'Issue Hook',
  ConfidentialIssuesEvents: 'Confidential Issue Hook',
  MergeRequestsEvents: 'Merge Request Hook',
  NoteEvents: 'Note Hook',
  ConfidentialNoteEvents: 'Confidential Note Hook',
  JobEvents: 'Job Hook',
  PipelineEvents: 'Pipeline Hook',
  WikiPageEvents: 'Wiki Page Hook',
  DeploymentEvents: 'Deployment Hook',
  ReleasesEvents: 'Release Hook',
  FeatureFlagEvents: 'Feature Flag Hook',
  EmojiEvents: 'Emoji Hook',
  ResourceAccessTokenEvents: 'Resource Access Token Hook',
  MemberEvents: 'Member Hook',
  SubgroupEvents: 'Subgroup Hook',
};

/**
 * Decides what one GitLab webhook delivery becomes, as Argo's gitlab source
 * does: `X-Gitlab-Token` must equal the secret token when one is set (here
 * compared in constant time), the body is kept as sent. Beyond Argo (which
 * asks GitLab for only those events), a delivery whose `X-Gitlab-Event` is not
 * one of `events` is answered 200 and dropped.
 */
export function gitlabTokenVerdict(
  secretToken: string | undefined,
  headers: Record<string, string[]>,
): Verdict | undefined {
  if (!secretToken) return undefined;
  const given = headers['X-Gitlab-Token']?.[0] ?? '';
  return constantTimeEqual(given, secretToken) ? undefined : answer(400, 'token mismatch');
}

export function gitlabVerdict(spec: GitlabEventSource, req: GitRequest): Verdict {
  const event = req.headers['X-Gitlab-Event']?.[0] ?? '';
  const wanted = (spec.events ?? []).map((e) => gitlabEventHeaders[e] ?? e);
  if (!wanted.includes(event)) return answer(200, `event ${JSON.stringify(event)} ignored`);
  let body: unknown;
  const text = req.body.toString('utf8');
  try {
    body = JSON.parse(text);
  } catch {
    return answer(400, 'invalid event');
  }
  const data: GitlabEventData = { headers: req.headers, body };
  const metadata = goStringMap(spec.metadata);
  if (metadata !== undefined) data.metadata = metadata;
  // Argo keeps GitLab's body as sent (json.RawMessage).
  const json = goPayloadJson('headers', req.headers, compactJson(text), metadata);
  return { kind: 'publish', data, json };
}
