import { readFileSync } from 'node:fs';
import type { CloudEventJson } from '../../eventbus/index.js';

/** Reads a fixture of this folder's testdata/ (for tests). */
export function fixture(name: string): string {
  return readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8');
}

export function eventFixture(name: string): CloudEventJson {
  return JSON.parse(fixture(name)) as CloudEventJson;
}

/** A structured CloudEvent with a JSON payload, for tests. */
export function webhookEvent(
  id: string,
  source: string,
  subject: string,
  body: unknown,
  header: Record<string, string[]> = {},
): CloudEventJson {
  return {
    specversion: '1.0',
    id,
    source,
    subject,
    type: 'webhook',
    time: '2024-06-01T10:00:00Z',
    datacontenttype: 'application/json',
    data: { header, body, metadata: {} },
  };
}
