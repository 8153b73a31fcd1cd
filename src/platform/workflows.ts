import { InputError, NotFoundError } from '../errors/index.js';
import type { Page, Store, WorkflowRecord } from '../store/index.js';
import type { NodeLogLine, Workflow, WorkflowEngine } from '../workflows/index.js';
import { Permission, authorize } from './authorization.js';
import { Labels, type Principal } from './types.js';

/** The label naming the team that owns a Workflow submitted through the API. */
export const TEAM_LABEL = 'plinth.dev/team';

/** Parameters as Argo's API sends them (`["name=value"]`) or as an object. */
export type ParameterInput = string[] | Record<string, string>;

/** What `POST /workflows` takes: a Workflow, or a WorkflowTemplate's name, with parameters. */
export interface SubmitWorkflowInput {
  workflow?: Workflow;
  /** Submit a Workflow that runs this WorkflowTemplate (`workflowTemplateRef`). */
  workflowTemplate?: string;
  namespace?: string;
  parameters?: ParameterInput;
  labels?: Record<string, string>;
}

export interface WorkflowListQuery {
  namespace?: string;
  /** `key=value[,key=value]`: every label must match. */
  labels?: string;
  phase?: string;
  limit?: number;
  cursor?: string;
}

/** Options of the operations, in the shapes of Argo's server API. */
export interface WorkflowOperationInput {
  /** resume: the suspend node (`name=...` or `displayName=...`); retry: the succeeded nodes to run again. */
  nodeFieldSelector?: string;
  /** stop: the message the ended nodes get. */
  message?: string;
  restartSuccessful?: boolean;
  memoized?: boolean;
  parameters?: ParameterInput;
}

export type WorkflowOperation = 'suspend' | 'resume' | 'stop' | 'terminate' | 'retry' | 'resubmit';

/** Argo Workflows through the API: submit, list, get, logs and the operations, authorized. */
export interface WorkflowService {
  submit(input: SubmitWorkflowInput, actor: Principal): Promise<Workflow>;
  list(query?: WorkflowListQuery): Promise<Page<Workflow>>;
  get(namespace: string, name: string): Promise<Workflow>;
  logs(
    namespace: string,
    name: string,
    options?: { nodeId?: string; afterSeq?: number; follow?: boolean },
  ): Promise<AsyncIterable<NodeLogLine>>;
  /** Runs an operation; resubmit answers the new Workflow. */
  operate(
    operation: WorkflowOperation,
    namespace: string,
    name: string,
    input: WorkflowOperationInput,
    actor: Principal,
  ): Promise<Workflow>;
  delete(namespace: string, name: string, actor: Principal): Promise<void>;
}

/** `["a=1","b=2"]` or `{a: "1"}` as an object; InputError for an entry without `=`. */
export function parseParameters(input: ParameterInput | undefined): Record<string, string> {
  if (!input) return {};
  if (!Array.isArray(input)) return { ...input };
  const out: Record<string, string> = {};
  for (const entry of input) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new InputError(`parameter '${entry}' is not NAME=VALUE`, {
        errors: [
          { field: 'parameters', message: `'${entry}' has no '='`, fix: 'write NAME=VALUE' },
        ],
      });
    }
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** `key=value,key2=value2` as an object. */
export function parseLabelSelector(selector: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const term of (selector ?? '').split(',').map((t) => t.trim())) {
    if (!term) continue;
    const eq = term.indexOf('=');
    if (eq <= 0) {
      throw new InputError(`label selector term '${term}' is not key=value`, {
        errors: [{ field: 'labels', message: `'${term}' has no '='`, fix: 'write key=value' }],
      });
    }
    out[term.slice(0, eq)] = term.slice(eq + 1).replace(/^=/, '');
  }
  return out;
}

/** The suspend node a resume selector names (`name=x` or `displayName=x`). */
function resumeNode(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  const m = /^\s*(name|displayName)\s*==?\s*(.+?)\s*$/.exec(selector);
  if (!m) {
    throw new InputError(`nodeFieldSelector '${selector}' cannot select a suspend node`, {
      errors: [
        {
          field: 'nodeFieldSelector',
          message: 'resume selects nodes by name or displayName',
          fix: 'write displayName=NODE or name=NODE',
        },
      ],
    });
  }
  return m[2];
}

function fromRecord(record: WorkflowRecord): Workflow {
  const wf = structuredClone(record.manifest) as unknown as Workflow;
  wf.status = {
    ...(structuredClone(record.status) as object),
    phase: record.phase,
  } as Workflow['status'];
  return wf;
}

export function createWorkflowService(deps: {
  store: Store;
  engine: WorkflowEngine;
}): WorkflowService {
  const { store, engine } = deps;

  async function mustGet(namespace: string, name: string): Promise<Workflow> {
    const wf = await engine.get(namespace, name);
    if (!wf) {
      throw new NotFoundError(`workflows.argoproj.io "${name}" not found`, {
        details: { namespace, name },
      });
    }
    return wf;
  }

  /** The owning team: the label set at submit, or the team of the Workflow's environment; null when none. */
  async function teamOf(wf: Workflow): Promise<string | null> {
    const labels = wf.metadata.labels ?? {};
    const team = labels[TEAM_LABEL];
    if (team) return team;
    const env = labels[Labels.environment];
    return env === undefined ? null : ((await store.environments.get(env))?.team ?? null);
  }

  async function authorizeOn(actor: Principal, wf: Workflow): Promise<void> {
    authorize(actor, Permission.WorkflowsWrite, {
      kind: 'workflow',
      name: wf.metadata.name ?? '',
      team: await teamOf(wf),
    });
  }

  return {
    async submit(input, actor) {
      const namespace = input.namespace ?? input.workflow?.metadata?.namespace ?? 'default';
      let wf: Workflow;
      if (input.workflow) {
        wf = structuredClone(input.workflow);
      } else if (input.workflowTemplate) {
        wf = {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          metadata: { generateName: `${input.workflowTemplate}-` },
          spec: { workflowTemplateRef: { name: input.workflowTemplate } },
        };
      } else {
        throw new InputError('give a workflow or a workflowTemplate to submit', {
          errors: [
            {
              field: 'workflow',
              message: 'neither workflow nor workflowTemplate was given',
              fix: 'send {workflow: {...}} or {workflowTemplate: NAME, parameters: [...]}',
            },
          ],
        });
      }
      wf.metadata = { ...wf.metadata, namespace };
      const labels = { ...wf.metadata.labels, ...input.labels };
      const team = labels[TEAM_LABEL] ?? actor.team;
      authorize(actor, Permission.WorkflowsWrite, {
        kind: 'workflow',
        name: wf.metadata.name ?? wf.metadata.generateName ?? '',
        team,
      });
      if (team) labels[TEAM_LABEL] = team;
      return engine.submit(wf, { parameters: parseParameters(input.parameters), labels });
    },

    async list(query = {}) {
      const page = await store.workflows.list({
        ...(query.namespace === undefined ? {} : { namespace: query.namespace }),
        labels: parseLabelSelector(query.labels),
        ...(query.phase === undefined
          ? {}
          : { phases: query.phase === 'Pending' ? ['Pending', ''] : [query.phase] }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return {
        items: page.items.map(fromRecord),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    },

    get: mustGet,

    async logs(namespace, name, options = {}) {
      await mustGet(namespace, name);
      return engine.logs(namespace, name, options);
    },

    async operate(operation, namespace, name, input, actor) {
      const wf = await mustGet(namespace, name);
      await authorizeOn(actor, wf);
      const parameters = parseParameters(input.parameters);
      const withParams = Object.keys(parameters).length > 0 ? { parameters } : {};
      switch (operation) {
        case 'suspend':
          return engine.suspend(namespace, name);
        case 'resume': {
          const nodeName = resumeNode(input.nodeFieldSelector);
          return engine.resume(namespace, name, {
            actor: actor.name,
            ...(nodeName === undefined ? {} : { nodeName }),
          });
        }
        case 'stop':
          return engine.stopWorkflow(
            namespace,
            name,
            input.message === undefined ? {} : { message: input.message },
          );
        case 'terminate':
          return engine.terminate(namespace, name);
        case 'retry':
          return engine.retry(namespace, name, {
            ...withParams,
            ...(input.restartSuccessful ? { restartSuccessful: true } : {}),
            ...(input.nodeFieldSelector ? { nodeFieldSelector: input.nodeFieldSelector } : {}),
          });
        case 'resubmit':
          return engine.resubmit(namespace, name, {
            ...withParams,
            ...(input.memoized ? { memoized: true } : {}),
          });
      }
    },

    async delete(namespace, name, actor) {
      const wf = await mustGet(namespace, name);
      await authorizeOn(actor, wf);
      await engine.delete(namespace, name);
    },
  };
}
