import { calendarSchedule } from './calendar/schedule.js';
import { isTimeZone, parseDurationMs } from '../time/index.js';
import {
  isObj,
  onlyFields,
  parseFilter,
  parseSecretRef,
  parseStringList,
  parseStringMap,
  parseWebhookContext,
  type Fail,
  type Obj,
} from './parse-util.js';
import type {
  CalendarEventSource,
  GithubEventSource,
  GitlabEventSource,
  WebhookEventSource,
} from './types.js';

export function parseWebhook(path: string, raw: unknown, fail: Fail): WebhookEventSource {
  const hook: WebhookEventSource = parseWebhookContext(path, raw, fail, ['filter']);
  const filter = (raw as Obj).filter;
  if (filter !== undefined) hook.filter = parseFilter(`${path}.filter`, filter, fail);
  return hook;
}

const calendarFields = new Set([
  'schedule',
  'interval',
  'exclusionDates',
  'timezone',
  'metadata',
  'persistence',
  'filter',
]);

export function parseCalendar(path: string, raw: unknown, fail: Fail): CalendarEventSource {
  if (!isObj(raw)) return fail(path, 'must be an object with a schedule or an interval');
  onlyFields(path, raw, calendarFields, fail);
  const out: CalendarEventSource = {};
  for (const key of ['schedule', 'interval', 'timezone'] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string') fail(`${path}.${key}`, 'must be a string');
    out[key] = raw[key] as string;
  }
  if (!out.schedule && !out.interval) {
    fail(path, 'needs a schedule or an interval', 'e.g. schedule: "0 2 * * *" or interval: 1h');
  }
  if (out.timezone && !isTimeZone(out.timezone)) {
    fail(`${path}.timezone`, `${JSON.stringify(out.timezone)} is not a known time zone`);
  }
  if (raw.exclusionDates !== undefined) {
    out.exclusionDates = parseStringList(`${path}.exclusionDates`, raw.exclusionDates, fail);
  }
  if (raw.metadata !== undefined) {
    out.metadata = parseStringMap(`${path}.metadata`, raw.metadata, fail);
  }
  if (raw.filter !== undefined) out.filter = parseFilter(`${path}.filter`, raw.filter, fail);
  if (raw.persistence !== undefined) {
    const p = raw.persistence;
    if (!isObj(p)) return fail(`${path}.persistence`, 'must be an object');
    onlyFields(`${path}.persistence`, p, new Set(['catchup', 'configMap']), fail);
    out.persistence = {};
    if (p.catchup !== undefined) {
      const c = p.catchup;
      if (!isObj(c)) return fail(`${path}.persistence.catchup`, 'must be an object');
      if (typeof c.maxDuration === 'string' && parseDurationMs(c.maxDuration) === undefined) {
        fail(`${path}.persistence.catchup.maxDuration`, 'is not a Go duration', 'e.g. 5m');
      }
      out.persistence.catchup = c as { enabled?: boolean; maxDuration?: string };
    }
    if (p.configMap !== undefined) {
      if (!isObj(p.configMap)) return fail(`${path}.persistence.configMap`, 'must be an object');
      out.persistence.configMap = p.configMap as { name?: string; createIfNotExist?: boolean };
    }
  }
  try {
    calendarSchedule(out, out.timezone || 'UTC');
  } catch (err) {
    fail(path, (err as Error).message);
  }
  return out;
}

const githubFields = new Set([
  'id',
  'webhook',
  'owner',
  'repository',
  'repositories',
  'organizations',
  'events',
  'apiToken',
  'webhookSecret',
  'insecure',
  'active',
  'contentType',
  'githubBaseURL',
  'githubUploadURL',
  'deleteHookOnFinish',
  'githubApp',
  'metadata',
  'filter',
]);

const gitlabFields = new Set([
  'webhook',
  'projectID',
  'projects',
  'groups',
  'events',
  'accessToken',
  'secretToken',
  'enableSSLVerification',
  'gitlabBaseURL',
  'deleteHookOnFinish',
  'metadata',
  'filter',
]);

const secretFields = new Set(['apiToken', 'webhookSecret', 'accessToken', 'secretToken']);
const listFields = new Set(['organizations', 'events', 'projects', 'groups']);

/** Reads a github or gitlab source: its webhook context, secrets, lists, and the rest as given. */
function parseGit<T extends GithubEventSource | GitlabEventSource>(
  kind: 'github' | 'gitlab',
  path: string,
  raw: unknown,
  fail: Fail,
): T {
  if (!isObj(raw)) return fail(path, `must be an object with a webhook and events`);
  onlyFields(path, raw, kind === 'github' ? githubFields : gitlabFields, fail);
  const out: Obj = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'webhook') out.webhook = parseWebhookContext(`${path}.webhook`, value, fail);
    else if (secretFields.has(key)) out[key] = parseSecretRef(`${path}.${key}`, value, fail);
    else if (listFields.has(key)) out[key] = parseStringList(`${path}.${key}`, value, fail);
    else if (key === 'metadata') out.metadata = parseStringMap(`${path}.metadata`, value, fail);
    else if (key === 'filter') out.filter = parseFilter(`${path}.filter`, value, fail);
    else out[key] = value;
  }
  if (out.webhook === undefined) {
    fail(
      `${path}.webhook`,
      'is required',
      'Plinth serves the hook itself: give endpoint, port and method (POST)',
    );
  }
  if (!Array.isArray(out.events) || out.events.length === 0) {
    fail(
      `${path}.events`,
      "can't be empty",
      kind === 'github' ? 'e.g. [push]' : 'e.g. [PushEvents]',
    );
  }
  return out as T;
}

export const parseGithub = (path: string, raw: unknown, fail: Fail) =>
  parseGit<GithubEventSource>('github', path, raw, fail);
export const parseGitlab = (path: string, raw: unknown, fail: Fail) =>
  parseGit<GitlabEventSource>('gitlab', path, raw, fail);
