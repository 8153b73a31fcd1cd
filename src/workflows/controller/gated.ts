import type { NodeStatus } from '../model/types.js';
import type { NodeContext } from './execute.js';
import { withMemoization } from './memoize.js';
import type { WorkflowRun } from './run.js';
import { withTemplateLocks } from './sync.js';

/**
 * Runs a node's template behind its `memoize` cache and `synchronization`
 * locks, in Argo's order: a cache hit needs no lock. Answers what to call
 * once the node has finished (save to the cache, release the locks).
 */
export function runGated(
  run: WorkflowRun,
  ctx: NodeContext,
  dispatch: () => void,
): ((node: NodeStatus) => void) | undefined {
  if (!ctx.template.memoize && !ctx.template.synchronization) {
    dispatch();
    return undefined;
  }
  let release: (() => void) | undefined;
  const save = withMemoization(run, ctx, () => {
    release = withTemplateLocks(run, ctx, dispatch);
  });
  return (node) => {
    release?.();
    save?.(node);
  };
}
