import type { EventContextFilter } from '../../types.js';
import type { FilterOutcome } from './outcome.js';

const fields = ['type', 'subject', 'source', 'datacontenttype'] as const;

/** Argo's context filter: every attribute it sets (type, subject, source, datacontenttype) must equal the event's. */
export function filterContext(
  filter: EventContextFilter | undefined,
  context: Readonly<Record<(typeof fields)[number], string>>,
): FilterOutcome {
  if (filter === undefined) return { pass: true };
  const reasons: string[] = [];
  for (const field of fields) {
    const expected = filter[field];
    if (typeof expected !== 'string' || expected === '') continue;
    const actual = context[field];
    if (actual !== expected)
      reasons.push(
        `context filter: ${field} ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`,
      );
  }
  return reasons.length === 0 ? { pass: true } : { pass: false, reason: reasons.join('; ') };
}
