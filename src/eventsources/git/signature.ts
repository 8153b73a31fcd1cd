import { createHmac, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(given: string, wanted: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(wanted);
  // Comparing against itself keeps the time the same when the lengths differ.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

/** `sha256=<hex>` (or `sha1=<hex>`): the HMAC of a body as GitHub writes it. */
export function hmacSignature(algorithm: 'sha256' | 'sha1', secret: string, body: Buffer): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

/**
 * Checks a `sha256=<hex>` or `sha1=<hex>` signature of the body; the error
 * texts are the ones GitHub's Go client gives, which Argo answers with.
 */
export function checkSignature(
  signature: string | undefined,
  secret: string,
  body: Buffer,
): string | undefined {
  if (!signature) return 'missing signature';
  const eq = signature.indexOf('=');
  if (eq < 0) return `error parsing signature ${JSON.stringify(signature)}`;
  const algorithm = signature.slice(0, eq);
  if (algorithm !== 'sha256' && algorithm !== 'sha1') {
    return `unknown hash type prefix: ${JSON.stringify(algorithm)}`;
  }
  const hex = signature.slice(eq + 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
    return `error decoding signature ${JSON.stringify(signature)}`;
  }
  const wanted = hmacSignature(algorithm, secret, body);
  return constantTimeEqual(`${algorithm}=${hex.toLowerCase()}`, wanted)
    ? undefined
    : 'payload signature check failed';
}
