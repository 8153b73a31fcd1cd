import type { ManifestPath, ParsedDocument, SourcePosition } from '../catalog/index.js';
import type { RuleContext } from './context.js';
import { isObj, list, str, type Obj, type WorkflowUnit } from './manifests.js';
import { LintRule } from './types.js';
import { positionIn, variableRefs } from './variables.js';

/** Fields that shape a Kubernetes pod, by the Argo type that holds them. */
const podOnly: Readonly<Record<string, ReadonlySet<string>>> = {
  WorkflowSpec: new Set([
    'affinity',
    'automountServiceAccountToken',
    'dnsConfig',
    'dnsPolicy',
    'executor',
    'hostAliases',
    'hostNetwork',
    'imagePullSecrets',
    'nodeSelector',
    'podDisruptionBudget',
    'podGC',
    'podMetadata',
    'podPriorityClassName',
    'podSpecPatch',
    'priorityClassName',
    'schedulerName',
    'securityContext',
    'serviceAccountName',
    'tolerations',
    'volumeClaimGC',
    'volumeClaimTemplates',
    'volumes',
  ]),
  Template: new Set([
    'affinity',
    'automountServiceAccountToken',
    'executor',
    'hostAliases',
    'nodeSelector',
    'podSpecPatch',
    'priorityClassName',
    'schedulerName',
    'securityContext',
    'serviceAccountName',
    'tolerations',
    'volumes',
  ]),
  ScriptTemplate: new Set(['resources', 'securityContext', 'volumeMounts', 'imagePullPolicy']),
  UserContainer: new Set(['resources', 'securityContext', 'volumeMounts', 'imagePullPolicy']),
  Container: new Set(['resources', 'securityContext', 'volumeMounts', 'imagePullPolicy']),
  ContainerNode: new Set(['resources', 'securityContext', 'volumeMounts', 'imagePullPolicy']),
  SensorSpec: new Set(['template', 'replicas']),
  // An EventSource's service only publishes the ports Plinth listens on itself.
  EventSourceSpec: new Set(['template', 'replicas']),
};

/** Notices pod-only fields while the field walk goes; reports them once per file. */
export class PodOnlyFields {
  private readonly byFile = new Map<string, { names: Set<string>; first: SourcePosition }>();

  /** The field walk's `onField`. */
  notice(doc: ParsedDocument, type: string, field: string, path: ManifestPath): void {
    if (!podOnly[type]?.has(field)) return;
    const seen = this.byFile.get(doc.file);
    if (seen) seen.names.add(field);
    else this.byFile.set(doc.file, { names: new Set([field]), first: doc.locateKey(path) });
  }

  report(ctx: RuleContext): void {
    for (const [file, { names, first }] of this.byFile) {
      ctx.findings.warn(
        { file, position: first },
        LintRule.podOnly,
        `note: ${[...names].join(', ')} ${names.size === 1 ? 'is' : 'are'} recorded and ignored on one machine`,
        'nothing to do; they take effect when Argo runs these manifests in Kubernetes',
      );
    }
  }
}

const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh']);
const sudo = /(^|[\s;&|(`])sudo(\s|$)/m;
const fixedHome = /\/home\/[\w.-]+/;

/** Checks the scripts and shell commands of a workflow's templates. */
export function checkHostSteps(ctx: RuleContext, unit: WorkflowUnit): void {
  list(unit.spec.templates).forEach((t, i) => {
    if (!isObj(t)) return;
    const path = [...unit.specPath, 'templates', i];
    if (isObj(t.script)) checkBody(ctx, unit, t.script, [...path, 'script'], true);
    if (isObj(t.container)) checkBody(ctx, unit, t.container, [...path, 'container'], false);
    const set = isObj(t.containerSet) ? t.containerSet : {};
    list(set.containers).forEach((c, j) => {
      if (isObj(c)) checkBody(ctx, unit, c, [...path, 'containerSet', 'containers', j], false);
    });
  });
}

/** The shell text of a container: the source of a script, or what follows `sh -c`. */
function shellTexts(
  body: Obj,
  path: ManifestPath,
  script: boolean,
): { text: string; path: ManifestPath }[] {
  const texts: { text: string; path: ManifestPath }[] = [];
  const source = str(body.source);
  if (script && source !== undefined) texts.push({ text: source, path: [...path, 'source'] });
  const argv = [
    ...list(body.command).map((v, i) => ({ v, path: [...path, 'command', i] })),
    ...list(body.args).map((v, i) => ({ v, path: [...path, 'args', i] })),
  ];
  const first = argv[0]?.v;
  const runsShell = typeof first === 'string' && shells.has(first.split('/').pop() ?? '');
  if (!runsShell) return texts;
  const dashC = argv.findIndex((a) => typeof a.v === 'string' && /^-\w*c\w*$/.test(a.v));
  const command = dashC >= 0 ? argv[dashC + 1] : undefined;
  if (command && typeof command.v === 'string') texts.push({ text: command.v, path: command.path });
  return texts;
}

function checkBody(
  ctx: RuleContext,
  unit: WorkflowUnit,
  body: Obj,
  path: ManifestPath,
  script: boolean,
): void {
  const { doc } = unit;
  const lines = ctx.lines(doc.file);
  const image = str(body.image);
  const pulled = image ? `; the image ${image} is not pulled, the step runs on this machine` : '';
  for (const { text, path: textPath } of shellTexts(body, path, script)) {
    const at = (offset: number, piece: string) => ({
      file: doc.file,
      position: positionIn(doc, textPath, lines, text, offset, piece),
    });
    const reported = new Set<string>();
    for (const ref of variableRefs(text)) {
      if (ref.scope !== 'inputs.parameters' && ref.scope !== 'workflow.parameters') continue;
      if (reported.has(ref.tag)) continue;
      reported.add(ref.tag);
      const variable = ref.name.toUpperCase().replace(/\W/g, '_');
      ctx.findings.warn(
        at(ref.offset, ref.tag),
        LintRule.scriptInjection,
        `${ref.tag} is put into shell text as it is: a value that comes from an event can run commands here`,
        `pass it through env, as - name: ${variable}, value: "${ref.tag}", and use "$${variable}" in the script`,
      );
    }
    const s = sudo.exec(text);
    if (s) {
      const offset = s.index + (s[1]?.length ?? 0);
      ctx.findings.warn(
        at(offset, 'sudo'),
        LintRule.hostAssumption,
        `runs sudo: the step runs as the user running Plinth, without sudo${pulled}`,
        'drop sudo; the step can change only what that user owns',
      );
    }
    const h = fixedHome.exec(text);
    if (h) {
      ctx.findings.warn(
        at(h.index, h[0]),
        LintRule.hostAssumption,
        `assumes the home directory ${h[0]} of a container image${pulled}`,
        'use "$HOME" or paths under the step\'s working directory',
      );
    }
  }
}
