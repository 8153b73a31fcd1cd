import { InputError } from '../../../errors/index.js';

function lineCol(src: string, pos: number): { line: number; col: number } {
  const before = src.slice(0, pos);
  const line = before.split('\n').length;
  return { line, col: pos - before.lastIndexOf('\n') - 1 };
}

/** A template that does not parse, worded as Go's `template: NAME:LINE: ...`. */
export function syntaxError(name: string, src: string, pos: number, message: string): InputError {
  return new InputError(`template: ${name}:${lineCol(src, pos).line}: ${message}`, {
    details: { template: name },
  });
}

/** A template that fails while executing, worded as Go's `template: NAME:LINE:COL: executing ...`. */
export function execError(
  name: string,
  src: string,
  pos: number,
  at: string,
  message: string,
): InputError {
  const { line, col } = lineCol(src, pos);
  return new InputError(
    `template: ${name}:${line}:${col}: executing "${name}" at <${at}>: ${message}`,
    { details: { template: name } },
  );
}
