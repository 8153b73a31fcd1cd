import { InputError } from '../../errors/index.js';
import { checkSyntax, lexGovaluate, printable, type Tok } from './govaluate-lexer.js';
import { planGovaluate, runGovaluate, type GovaluatePlan } from './govaluate.js';
import { LIMITS } from './limits.js';

function fail(message: string): InputError {
  return new InputError(message, { details: { reason: 'when' } });
}

/**
 * Decides an already-substituted `when`, as Argo does: a govaluate expression
 * in which a bare word that is not `true`, `false` or `in` stands for itself as
 * a string, so `{{steps.flip.outputs.result}} == heads` compares two strings.
 * An empty text is true. Throws InputError (INVALID_INPUT) with Argo's wording
 * for a text that is not an expression, cannot be evaluated, or is not a boolean.
 */
export function evaluateWhen(text: string): boolean {
  if (text === '') return true;
  if (text.length > LIMITS.sourceLength)
    throw fail(`Invalid 'when' expression '${text.slice(0, 80)}...': too long`);
  let tokens: Tok[];
  try {
    tokens = lexGovaluate(text);
  } catch (err) {
    const msg = (err as Error).message;
    const hint = msg.includes('Invalid token')
      ? ' (hint: try wrapping the affected expression in quotes ("))'
      : '';
    throw fail(`Invalid 'when' expression '${text}': ${msg}${hint}`);
  }
  // Argo reads bare words as strings rather than as variables.
  const converted = tokens.map((t) =>
    t.kind === 'VARIABLE' ? { kind: 'STRING' as const, value: t.value } : t,
  );
  let plan: GovaluatePlan;
  try {
    checkSyntax(converted);
    plan = planGovaluate(converted);
    // Argo evaluates without parameters: what is still a name (an accessor) has no value.
    const name = plan.vars[0];
    if (name !== undefined) throw new Error(`No parameter '${name}' found.`);
  } catch (err) {
    throw fail(`Failed to parse 'when' expression '${text}': ${(err as Error).message}`);
  }
  let result: unknown;
  try {
    result = runGovaluate(plan);
  } catch (err) {
    throw fail(`Failed to evaluate 'when' expresion '${text}': ${(err as Error).message}`);
  }
  if (typeof result !== 'boolean') {
    throw fail(`Expected boolean evaluation for '${text}'. Got ${printable(result)}`);
  }
  return result;
}
