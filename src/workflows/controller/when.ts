import { evaluateWhen } from '../expressions/index.js';
import { absentOutputMessage, usesAbsentOutput } from './absent.js';

/**
 * Whether a step or task runs: its `when`, after tag substitution, in Argo's
 * govaluate dialect (bare words are strings). Throws with Argo's wording when
 * the text is not a boolean expression.
 */
export function shouldExecute(when: string | undefined): boolean {
  if (when === undefined) return true;
  if (usesAbsentOutput(when)) throw new Error(absentOutputMessage('the when expression'));
  return evaluateWhen(when.trim());
}
