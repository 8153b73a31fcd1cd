/**
 * DAG task dependencies: the `depends` expression (`a && (b.Failed || c)`)
 * and the older `dependencies` list, which means every task Succeeded,
 * Skipped or Daemoned.
 */

/** Results a `depends` term can ask about, as Argo spells them. */
export const TaskResult = {
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Errored: 'Errored',
  Skipped: 'Skipped',
  Omitted: 'Omitted',
  Daemoned: 'Daemoned',
  AnySucceeded: 'AnySucceeded',
  AllFailed: 'AllFailed',
} as const;
export type TaskResult = (typeof TaskResult)[keyof typeof TaskResult];

export type DependsExpr =
  | { op: 'term'; task: string; result?: TaskResult }
  | { op: 'not'; expr: DependsExpr }
  | { op: 'and' | 'or'; left: DependsExpr; right: DependsExpr };

const TOKEN = /\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_][A-Za-z0-9_.-]*)/y;

/** Parses a `depends` expression; throws an Error with the reason. */
export function parseDepends(text: string): DependsExpr {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (text.slice(start).trim() === '') break;
      throw new Error(`invalid depends expression '${text}' at position ${start}`);
    }
    tokens.push(m[1] as string);
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const or = (): DependsExpr => {
    let left = and();
    while (peek() === '||') {
      pos++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): DependsExpr => {
    let left = unary();
    while (peek() === '&&') {
      pos++;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): DependsExpr => {
    const t = tokens[pos++];
    if (t === '!') return { op: 'not', expr: unary() };
    if (t === '(') {
      const e = or();
      if (tokens[pos++] !== ')')
        throw new Error(`invalid depends expression '${text}': missing ')'`);
      return e;
    }
    if (t === undefined || t === ')' || t === '&&' || t === '||') {
      throw new Error(`invalid depends expression '${text}'`);
    }
    const dot = t.lastIndexOf('.');
    const suffix = dot > 0 ? t.slice(dot + 1) : '';
    if (suffix in TaskResult)
      return { op: 'term', task: t.slice(0, dot), result: suffix as TaskResult };
    return { op: 'term', task: t };
  };
  const expr = or();
  if (pos !== tokens.length) throw new Error(`invalid depends expression '${text}'`);
  return expr;
}

/** The `depends` equivalent of a `dependencies` list. */
export function dependsFromList(names: string[]): DependsExpr | undefined {
  let expr: DependsExpr | undefined;
  for (const task of names) {
    const term: DependsExpr = { op: 'term', task };
    expr = expr ? { op: 'and', left: expr, right: term } : term;
  }
  return expr;
}

/** The task names an expression depends on. */
export function dependencyNames(expr: DependsExpr | undefined): string[] {
  const out = new Set<string>();
  const walk = (e: DependsExpr) => {
    if (e.op === 'term') out.add(e.task);
    else if (e.op === 'not') walk(e.expr);
    else {
      walk(e.left);
      walk(e.right);
    }
  };
  if (expr) walk(expr);
  return [...out];
}

/** What a finished dependency looks like to the expression. */
export interface DependencyState {
  phase: string;
  /** The task's `continueOn`, which lets a plain term accept Failed or Error too. */
  continueOn?: { failed?: boolean; error?: boolean };
  /** Phases of a fanned-out task's children (AnySucceeded / AllFailed). */
  childPhases?: string[];
  /** Set when the task is a daemon that runs: done for its dependents. */
  daemoned?: boolean;
}

/** Evaluates an expression once every dependency it names has finished. */
export function evaluateDepends(
  expr: DependsExpr,
  state: (task: string) => DependencyState,
): boolean {
  switch (expr.op) {
    case 'not':
      return !evaluateDepends(expr.expr, state);
    case 'and':
      return evaluateDepends(expr.left, state) && evaluateDepends(expr.right, state);
    case 'or':
      return evaluateDepends(expr.left, state) || evaluateDepends(expr.right, state);
    case 'term': {
      const s = state(expr.task);
      switch (expr.result) {
        case undefined:
          return (
            s.phase === 'Succeeded' ||
            s.phase === 'Skipped' ||
            isDaemoned(s) ||
            (s.continueOn?.failed === true && s.phase === 'Failed') ||
            (s.continueOn?.error === true && s.phase === 'Error')
          );
        case 'Errored':
          return s.phase === 'Error';
        case 'Daemoned':
          return isDaemoned(s);
        case 'AnySucceeded':
          return (s.childPhases ?? []).some((p) => p === 'Succeeded');
        case 'AllFailed':
          return (
            (s.childPhases ?? []).length > 0 && (s.childPhases ?? []).every((p) => p === 'Failed')
          );
        default:
          return s.phase === expr.result;
      }
    }
  }
}

/** A daemon counts as done for its dependents once it runs. */
function isDaemoned(s: DependencyState): boolean {
  return s.daemoned === true && s.phase !== '' && s.phase !== 'Pending';
}
