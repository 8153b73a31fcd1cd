import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One HTTP request made for a step (an `http` template or an `http` artifact). */
export interface OutgoingRequest {
  url: string;
  method?: string;
  headers?: { name: string; value: string }[];
  body?: string;
  /** Ends the request (and its body) after this long. */
  timeoutMs?: number;
  insecureSkipVerify?: boolean;
  /** Refuses a response body larger than this. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface IncomingResponse {
  statusCode: number;
  /** Header values by name, as Go's `http.Header` holds them (a list per name, canonical case). */
  headers: Record<string, string[]>;
  body: Buffer;
}

/** Makes an HTTP(S) request and reads its whole response; rejects on a network error or timeout. */
export function sendRequest(req: OutgoingRequest): Promise<IncomingResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new Error(`parse "${req.url}": invalid URL`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new Error(`unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`));
      return;
    }
    const headers: Record<string, string | string[]> = {};
    let host: string | undefined;
    for (const h of req.headers ?? []) {
      if (h.name.toLowerCase() === 'host') {
        host = h.value;
        continue;
      }
      const prev = headers[h.name];
      headers[h.name] =
        prev === undefined ? h.value : [...(Array.isArray(prev) ? prev : [prev]), h.value];
    }
    if (host !== undefined) headers.host = host;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(
      url,
      {
        method: (req.method || 'GET').toUpperCase(),
        headers,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !req.insecureSkipVerify } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (req.maxBytes !== undefined && size > req.maxBytes) {
            r.destroy(new Error(`response body is larger than ${req.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: canonicalHeaders(res.headers),
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy(new Error(`${req.method || 'GET'} ${req.url}: context deadline exceeded`));
    }, req.timeoutMs ?? 30_000);
    timer.unref();
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.end(req.body ?? '');
  });
}

/** `content-type` → `Content-Type`, as Go canonicalises header names. */
function canonicalHeaders(raw: IncomingHttpHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name
      .split('-')
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('-');
    out[key] = Array.isArray(value) ? value : [value];
  }
  return out;
}
