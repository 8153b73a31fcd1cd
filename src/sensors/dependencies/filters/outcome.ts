/**
 * What one kind of filter decided: `pass`, and when it did not pass, why
 * (`reason`), or the filter error Argo reports (`error`). In an `or` an error
 * can come with a pass, as in Argo.
 */
export interface FilterOutcome {
  pass: boolean;
  reason?: string;
  error?: string;
}

/** How filters of one kind combine. */
export type Operator = 'and' | 'or';

export function operatorOf(value: string | undefined): Operator {
  return value === 'or' ? 'or' : 'and';
}

/** Argo's `<kind> filter error (<message>)`. */
export function filterError(kind: string, message: string): FilterOutcome {
  return { pass: false, error: `${kind} filter error (${message})` };
}

/** The end of an `or` that did not pass: Argo's `<kind> filter errors [a / b]`, or the reasons. */
export function orFailure(kind: string, errors: string[], reasons: string[]): FilterOutcome {
  if (errors.length > 0)
    return { pass: false, error: `${kind} filter errors [${errors.join(' / ')}]` };
  return { pass: false, reason: reasons.join(' and ') || `no ${kind} filter passed` };
}
