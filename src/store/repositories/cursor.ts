import { InputError } from '../../errors/index.js';
import { decodeCursor } from './shared.js';

/** Decodes a page cursor or throws an InputError naming the `cursor` field. */
export function requireCursor(cursor: string | undefined): [string, string] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = decodeCursor(cursor);
  if (!decoded) {
    throw new InputError('the cursor is not one this server gave', {
      errors: [
        {
          field: 'cursor',
          message: 'not a cursor from a previous page',
          fix: 'pass the nextCursor of the previous page, or omit it for the first page',
        },
      ],
    });
  }
  return decoded;
}
