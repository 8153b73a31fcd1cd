import type { IncomingMessage } from 'node:http';

/** Why a body could not be read. */
export type BodyFailure = 'too-large' | 'aborted';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: BodyFailure };

/** Reads a request body of at most `limit` bytes; stops reading as soon as it is exceeded. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, body: Buffer.concat(chunks, size) }));
    req.once('error', () => finish({ ok: false, reason: 'aborted' }));
    req.once('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** Form or query values as Go's `url.Values`: every name with all its values, names sorted as Go writes a map. */
export function valuesMap(params: URLSearchParams): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [key, value] of params) {
    const values = byName.get(key);
    if (values === undefined) byName.set(key, [value]);
    else values.push(value);
  }
  const out: Record<string, string[]> = {};
  for (const key of [...byName.keys()].sort()) out[key] = byName.get(key) as string[];
  return out;
}
