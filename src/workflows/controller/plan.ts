import { layered, substitute, type TagScope } from '../expressions/index.js';
import type { WorkflowStep } from '../model/types.js';
import { resolveArtifactExpressions } from './artifacts.js';
import { allowLoopTags, expandLoop, isLoop } from './loops.js';
import { shouldExecute } from './when.js';

/** One node a step or task asks for. */
export interface PlannedNode<T extends WorkflowStep> {
  /** The last part of the node's name: the step's name, or `name(i:item)` for a loop copy. */
  name: string;
  /** The step with its tags substituted; undefined when it could not be prepared. */
  step?: T;
  /** Why the node is Skipped (`when` false, an empty loop). */
  skipped?: string;
  /** Why the node is in Error before it starts. */
  error?: string;
}

/** What a step or task becomes: one node, or a loop of copies. */
export interface StepPlan<T extends WorkflowStep> {
  loop: boolean;
  nodes: PlannedNode<T>[];
}

/**
 * Substitutes a step's tags from `scope` (earlier steps' outputs, inputs,
 * globals), expands its loop and evaluates each copy's `when`. The step's
 * hooks keep their tags: they are resolved once the step has run.
 */
export function planStep<T extends WorkflowStep>(
  step: T,
  outer: TagScope,
  nameTag?: 'steps.name' | 'tasks.name',
): StepPlan<T> {
  // `steps.name` / `tasks.name`: the step's own name, inside its body.
  const scope = nameTag ? layered(new Map([[nameTag, step.name]]), outer) : outer;
  const { hooks, onExit, ...body } = step;
  const keep = <S extends WorkflowStep>(s: S): S =>
    ({
      ...s,
      ...(hooks !== undefined ? { hooks } : {}),
      ...(onExit !== undefined ? { onExit } : {}),
    }) as S;
  const loop = isLoop(step);
  let resolved: T;
  try {
    resolved = resolveArtifactExpressions(
      substitute(body as T, layered(scope), allowLoopTags),
      scope,
    );
  } catch (err) {
    return { loop: false, nodes: [{ name: step.name, error: (err as Error).message }] };
  }
  if (!loop) return { loop, nodes: [decide(step.name, keep(resolved))] };
  let copies;
  try {
    copies = expandLoop(resolved, scope);
  } catch (err) {
    return { loop: false, nodes: [{ name: step.name, error: (err as Error).message }] };
  }
  if (copies.length === 0) {
    return { loop: false, nodes: [{ name: step.name, skipped: 'Skipped, empty params' }] };
  }
  return { loop, nodes: copies.map((c) => decide(c.name, keep(c.step))) };
}

function decide<T extends WorkflowStep>(name: string, step: T): PlannedNode<T> {
  try {
    if (!shouldExecute(step.when)) {
      return { name, step, skipped: `when '${step.when ?? ''}' evaluated false` };
    }
  } catch (err) {
    return { name, step, error: (err as Error).message };
  }
  return { name, step };
}
