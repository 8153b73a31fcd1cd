import type { IncomingMessage } from 'node:http';

/** What Argo puts in place of a caller's Authorization header. */
export const maskedAuthorization = '*** Masked Auth Secret ***';

/** Headers Go's HTTP server takes out of the header map before a handler sees it. */
const removedByGo = new Set(['Host', 'Transfer-Encoding']);

/**
 * The canonical form Go gives header names (`content-type` → `Content-Type`),
 * so that sensors written against Argo find the same keys.
 */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => {
    return dash + c.toUpperCase();
  });
}

/** The request's headers as Go's `http.Header`: canonical names, every value in order. */
export function headerMap(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = canonicalHeaderKey(raw[i] as string);
    if (removedByGo.has(key)) continue;
    const value = key === 'Authorization' ? maskedAuthorization : (raw[i + 1] as string);
    (out[key] ??= []).push(value);
  }
  return out;
}
