import { ManifestError } from '../../errors/index.js';
import type { JsonValue } from '../parameters/sjson.js';
import type { JsonObject } from './workflow-resource.js';

/** The `argo submit` flags an argoWorkflow trigger's `args` may carry, with what each changes. */
type Apply = (workflow: JsonObject, value: string) => void;

const withValue: ReadonlyMap<string, Apply> = new Map<string, Apply>([
  ['--name', (wf, v) => (metadataOf(wf).name = v)],
  ['--generate-name', (wf, v) => (metadataOf(wf).generateName = v)],
  ['--entrypoint', (wf, v) => (specOf(wf).entrypoint = v)],
  ['--serviceaccount', (wf, v) => (specOf(wf).serviceAccountName = v)],
  ['--parameter', setParameter],
  ['-p', setParameter],
  ['--labels', (wf, v) => mergePairs(wf, 'labels', v, '--labels')],
  ['-l', (wf, v) => mergePairs(wf, 'labels', v, '--labels')],
  ['--annotations', (wf, v) => mergePairs(wf, 'annotations', v, '--annotations')],
  ['--priority', setPriority],
  // Only how the CLI prints what it submitted: nothing to do on the engine.
  ['--output', () => undefined],
  ['-o', () => undefined],
]);

/** Flags that only make the CLI wait or print; the trigger never waits for the Workflow. */
const ignored = new Set(['--wait', '-w', '--watch', '--log']);

const supportedText =
  '--name, --generate-name, --entrypoint, -p/--parameter NAME=VALUE, --serviceaccount, -l/--labels K=V,..., --annotations K=V,..., --priority (and --output, --wait, --watch, --log, which change nothing here)';

/**
 * Applies an argoWorkflow trigger's `args` (extra `argo submit` arguments) to
 * the Workflow it submits, as the CLI would. Flags that make no sense without
 * the CLI (files on the sensor's host, another namespace or server, dry runs)
 * and any flag on other operations are refused with a ManifestError.
 */
export function applySubmitArgs(
  workflow: JsonObject,
  args: readonly unknown[] | undefined,
  operation: string,
  where: string,
): JsonObject {
  if (!args || args.length === 0) return workflow;
  const words = args.map(String);
  const submits = operation === 'submit' || operation === 'submit-from';
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    if (ignored.has(flag) && eq < 0) continue;
    const apply = withValue.get(flag);
    if (!submits || apply === undefined) {
      throw new ManifestError(
        `${where}: args: Plinth does not support ${JSON.stringify(word)}${submits ? '' : ` for the ${operation} operation (args apply to submit and submit-from)`}; it supports ${supportedText}`,
      );
    }
    const value = eq > 0 ? word.slice(eq + 1) : words[++i];
    if (value === undefined) throw new ManifestError(`${where}: args: ${flag} needs a value`);
    try {
      apply(workflow, value);
    } catch (err) {
      if (err instanceof ManifestError) throw new ManifestError(`${where}: ${err.message}`);
      throw err;
    }
  }
  return workflow;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metadataOf(wf: JsonObject): JsonObject {
  if (!isObject(wf.metadata)) wf.metadata = {};
  return wf.metadata as JsonObject;
}

function specOf(wf: JsonObject): JsonObject {
  if (!isObject(wf.spec)) wf.spec = {};
  return wf.spec as JsonObject;
}

/** `-p name=value`: overrides the Workflow argument of that name, or adds it (as the CLI does). */
function setParameter(wf: JsonObject, pair: string): void {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new ManifestError(`args: -p expects NAME=VALUE, got ${JSON.stringify(pair)}`);
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  const spec = specOf(wf);
  if (!isObject(spec.arguments)) spec.arguments = {};
  const argumentsObj = spec.arguments as JsonObject;
  if (!Array.isArray(argumentsObj.parameters)) argumentsObj.parameters = [];
  const parameters = argumentsObj.parameters as JsonValue[];
  const existing = parameters.find((p) => isObject(p) && p.name === name);
  if (isObject(existing)) existing.value = value;
  else parameters.push({ name, value });
}

function mergePairs(
  wf: JsonObject,
  field: 'labels' | 'annotations',
  text: string,
  flag: string,
): void {
  const metadata = metadataOf(wf);
  if (!isObject(metadata[field])) metadata[field] = {};
  const target = metadata[field] as JsonObject;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ManifestError(`args: ${flag} expects KEY=VALUE pairs, got ${JSON.stringify(pair)}`);
    target[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
}

function setPriority(wf: JsonObject, value: string): void {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new ManifestError(`args: --priority expects an integer, got ${JSON.stringify(value)}`);
  specOf(wf).priority = n;
}
