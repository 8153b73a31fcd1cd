import {
  allowAll,
  allowExpressionsOnly,
  substitute,
  substituteString,
  type TagScope,
} from '../expressions/index.js';
import type { TemplateScope } from '../model/resolve.js';
import type { LifecycleHook, NodeStatus } from '../model/types.js';
import { execute } from './execute.js';
import { setExitVariables } from './exit.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** The hook that runs when its holder ends; every other hook waits for its `expression`. */
const EXIT_HOOK = 'exit';

/** Where a holder's expression hooks run, and what their expressions see. */
export interface HookSite {
  /** The node the hooks belong to: a step's, a task's, or the Workflow's root node. */
  parent: NodeStatus;
  /** The display name hook nodes are named after (the node name at the Workflow's level). */
  displayName: string;
  boundaryId?: string;
  scope: TemplateScope;
  /** The tags as they are now (the parent's own `steps.X.status` included). */
  tags: () => TagScope;
}

/**
 * A step's, task's or Workflow's lifecycle hooks other than `exit`: each runs
 * once, as the node `<parent>.hooks.<name>`, when its expression is first true.
 * Expressions are looked at again whenever a node of the Workflow changes phase,
 * and a last time when the holder has ended; the holder counts as done only
 * once every hook that started has finished, as Argo waits for them.
 */
export class ExpressionHooks {
  private readonly started = new Map<string, NodeStatus>();
  private readonly stopListening: () => void;
  private waiting: (() => void) | undefined;

  private constructor(
    private readonly run: WorkflowRun,
    private readonly hooks: [string, LifecycleHook][],
    private readonly site: HookSite,
  ) {
    for (const [name] of hooks) {
      const node = run.nodeByName(this.nodeName(name));
      if (node) this.started.set(name, node);
    }
    this.stopListening = run.onPhaseChange(() => this.check());
    this.check();
  }

  /** Starts watching the expression hooks of `hooks`; undefined when it has none. */
  static watch(
    run: WorkflowRun,
    hooks: Record<string, LifecycleHook> | undefined,
    site: HookSite,
  ): ExpressionHooks | undefined {
    if (hooks === undefined) return undefined;
    const named = Object.entries(hooks)
      .filter(([name]) => name !== EXIT_HOOK)
      .sort(([a], [b]) => a.localeCompare(b));
    return named.length > 0 ? new ExpressionHooks(run, named, site) : undefined;
  }

  /** Looks at the expressions a last time, then calls `done` once every started hook has finished. */
  settle(done: () => void): void {
    this.check();
    this.waiting = done;
    this.finishIfSettled();
  }

  private check(): void {
    if (this.run.shutdown === 'Terminate' || this.run.finished) return;
    for (const [name, hook] of this.hooks) {
      if (this.started.has(name) || !this.isTrue(hook.expression ?? '')) continue;
      this.start(name, hook);
    }
    this.finishIfSettled();
  }

  private isTrue(expression: string): boolean {
    try {
      return substituteString(`{{=${expression}}}`, this.site.tags(), allowAll) === 'true';
    } catch {
      return false;
    }
  }

  private start(name: string, hook: LifecycleHook): void {
    const { run, site } = this;
    let args;
    let failure: string | undefined;
    try {
      args = substitute(hook.arguments, site.tags(), allowExpressionsOnly);
    } catch (err) {
      failure = (err as Error).message;
    }
    const node = execute(run, {
      nodeName: this.nodeName(name),
      displayName: `${site.displayName}.hooks.${name}`,
      ...(site.boundaryId ? { boundaryId: site.boundaryId } : {}),
      parents: [site.parent.id],
      holder: {
        ...(hook.template ? { template: hook.template } : {}),
        ...(hook.templateRef ? { templateRef: hook.templateRef } : {}),
      },
      scope: site.scope,
      args: args?.parameters ?? [],
      hooked: true,
      nodeFlag: { hooked: true },
      onDone: () => this.finishIfSettled(),
      ...(failure !== undefined ? { failure } : {}),
    });
    this.started.set(name, node);
  }

  private finishIfSettled(): void {
    const done = this.waiting;
    if (!done) return;
    for (const node of this.started.values()) if (!isFulfilled(node)) return;
    this.waiting = undefined;
    this.stopListening();
    done();
  }

  private nodeName(hook: string): string {
    return `${this.site.parent.name}.hooks.${hook}`;
  }
}

/** Starts the Workflow's own expression hooks (`spec.hooks`), as children of its root node. */
export function watchWorkflowHooks(run: WorkflowRun, root: NodeStatus): void {
  if (run.workflowHooks !== undefined || run.finished) return;
  const hooks = ExpressionHooks.watch(run, run.execSpec.hooks, {
    parent: root,
    displayName: run.name,
    scope: `local/${run.name}`,
    tags: () => run.globalScope,
  });
  run.workflowHooks = hooks ?? 'settled';
}

/**
 * The root node has ended: `workflow.status` becomes its outcome, the
 * Workflow's hooks look at it a last time, and `then` runs once they have
 * finished. Returns false when there is nothing to wait for (then is not called).
 */
export function settleWorkflowHooks(run: WorkflowRun, root: NodeStatus, then: () => void): boolean {
  const hooks = run.workflowHooks;
  if (hooks === undefined || hooks === 'settled') return false;
  setExitVariables(run, root);
  hooks.settle(() => {
    run.workflowHooks = 'settled';
    then();
  });
  return true;
}
