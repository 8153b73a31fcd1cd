import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, PlinthError } from '../errors/index.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed values start with this, so a later scheme can sit beside it. */
const PREFIX = 'v1';

/** The file under the data directory that keeps the generated key. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * Encrypts and decrypts secret values with AES-256-GCM. `context` is bound to
 * the ciphertext (as additional data), so a value sealed for one secret
 * cannot be passed off as another's.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

function decodeKey(base64: string, field: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new InputError(`the secret key must be ${KEY_BYTES} bytes, base64-encoded`, {
      errors: [
        {
          field,
          message: `decodes to ${key.length} bytes`,
          fix: 'generate one with: openssl rand -base64 32',
        },
      ],
    });
  }
  return key;
}

/**
 * The key secrets are sealed with: `keyBase64` (the `PLINTH_SECRET_KEY`
 * setting) when given, else the one kept in `<dataDir>/secret.key`, which is
 * generated (mode 0600) on first use.
 */
export function loadSecretKey(opts: { keyBase64?: string | undefined; dataDir: string }): Buffer {
  if (opts.keyBase64 !== undefined && opts.keyBase64 !== '') {
    return decodeKey(opts.keyBase64, 'PLINTH_SECRET_KEY');
  }
  const file = path.join(opts.dataDir, SECRET_KEY_FILE);
  try {
    return decodeKey(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // `wx`: when two processes start at once, the first key written wins.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return decodeKey(readFileSync(file, 'utf8'), file);
  }
}

/** A SecretBox over a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`an AES-256 key has ${KEY_BYTES} bytes`);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [PREFIX, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join(
        ':',
      );
    },
    open(sealed, context) {
      const [prefix, iv, tag, body] = sealed.split(':');
      if (prefix !== PREFIX || iv === undefined || tag === undefined || body === undefined) {
        throw new PlinthError('INTERNAL', 'a stored secret is not in a known sealed format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch (err) {
        throw new PlinthError(
          'INTERNAL',
          'a stored secret cannot be decrypted: the secret key differs from the one it was sealed with',
          { cause: err },
        );
      }
    },
  };
}

/** The context a configuration secret is sealed under. */
export function secretContext(environment: string, application: string, name: string): string {
  return `plinth/config/${environment}/${application}/${name}`;
}
