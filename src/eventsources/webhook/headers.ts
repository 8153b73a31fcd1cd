import type { IncomingMessage } from 'node:http';

/** What Argo puts in place of a caller's Authorization header. */
export const maskedAuthorization = '*** Masked Auth Secret ***';

/** Headers Go's HTTP server takes out of the header map before a handler sees it. */
const removedByGo = new Set(['Host', 'Transfer-Encoding']);

const canonicalCache = new Map<string, string>();
const canonicalCacheLimit = 1024;

/**
 * The canonical form Go gives header names (`content-type` → `Content-Type`),
 * so that sensors written against Argo find the same keys.
 */
export function canonicalHeaderKey(name: string): string {
  const known = canonicalCache.get(name);
  if (known !== undefined) return known;
  const key = name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => {
    return dash + c.toUpperCase();
  });
  // Callers choose header names freely: remember only so many.
  if (canonicalCache.size < canonicalCacheLimit) canonicalCache.set(name, key);
  return key;
}

/**
 * The request's headers as Go's `http.Header`: canonical names, every value in
 * order, names sorted as Go's encoding/json writes a map.
 */
export function headerMap(req: IncomingMessage): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = canonicalHeaderKey(raw[i] as string);
    if (removedByGo.has(key)) continue;
    const value = key === 'Authorization' ? maskedAuthorization : (raw[i + 1] as string);
    const values = byName.get(key);
    if (values === undefined) byName.set(key, [value]);
    else values.push(value);
  }
  const out: Record<string, string[]> = {};
  for (const key of [...byName.keys()].sort()) out[key] = byName.get(key) as string[];
  return out;
}
