import { timestamp } from '../model/names.js';
import { NodePhase, type Outputs } from '../model/types.js';
import type { NodeContext } from './execute.js';
import { isFulfilled, type WorkflowRun } from './run.js';
import { parseDuration } from './suspend.js';

/**
 * `memoize`: looks the key up in the template's cache before running. A hit
 * younger than `maxAge` ends the node Succeeded with the saved outputs; a
 * miss runs `go`. Answers what to call once the node has finished (it saves
 * a Succeeded node's outputs), or undefined when the template does not memoize.
 */
export function withMemoization(
  run: WorkflowRun,
  ctx: NodeContext,
  go: () => void,
): ((node: NodeContext['node']) => void) | undefined {
  const memo = ctx.template.memoize;
  if (!memo) {
    go();
    return undefined;
  }
  const { node } = ctx;
  const cacheName = memo.cache?.configMap?.name;
  const key = memo.key;
  if (!cacheName || !key) {
    run.markPhase(
      node,
      NodePhase.Error,
      `templates.${ctx.template.name}.memoize needs a key and cache.configMap.name`,
    );
    return undefined;
  }
  let maxAgeSeconds: number | undefined;
  if (memo.maxAge !== undefined && memo.maxAge !== '') {
    maxAgeSeconds = parseDuration(memo.maxAge);
    if (maxAgeSeconds === undefined) {
      run.markPhase(
        node,
        NodePhase.Error,
        `templates.${ctx.template.name}.memoize.maxAge: invalid duration '${memo.maxAge}'`,
      );
      return undefined;
    }
  }
  const namespace = run.wf.metadata.namespace ?? 'default';
  const save = (done: NodeContext['node']): void => {
    if (done.phase !== NodePhase.Succeeded || done.memoizationStatus?.hit) return;
    void run.deps
      .track(
        run.deps.store.memos.save({
          namespace,
          cacheName,
          key,
          nodeId: done.id,
          outputs: structuredClone(done.outputs ?? {}) as Record<string, unknown>,
          createdAt: new Date().toISOString(),
        }),
      )
      .catch((err: unknown) =>
        run.deps.logger.error({ err, cacheName, key }, 'could not save a memoized result'),
      );
  };
  // Picked up after a restart: the lookup was made before.
  if (node.memoizationStatus) {
    if (!node.memoizationStatus.hit) go();
    return save;
  }
  void run.deps.track(
    run.deps.store.memos
      .get(namespace, cacheName, key)
      .catch((err: unknown) => {
        run.deps.logger.error({ err, cacheName, key }, 'could not read the memoization cache');
        return undefined;
      })
      .then((entry) =>
        run.apply(() => {
          if (isFulfilled(node) || run.detached) return;
          const fresh =
            entry !== undefined &&
            (maxAgeSeconds === undefined ||
              Date.now() - Date.parse(entry.createdAt) <= maxAgeSeconds * 1000);
          node.memoizationStatus = { hit: fresh, key, cacheName };
          run.touch(node);
          if (!fresh || !entry) {
            go();
            return;
          }
          const outputs = structuredClone(entry.outputs) as Outputs;
          node.outputs = outputs;
          run.exportGlobals(outputs.parameters);
          run.markPhase(node, NodePhase.Succeeded);
          node.finishedAt ??= timestamp();
          void run.deps
            .track(run.deps.store.memos.hit(namespace, cacheName, key, new Date().toISOString()))
            .catch(() => undefined);
        }),
      ),
  );
  return save;
}
