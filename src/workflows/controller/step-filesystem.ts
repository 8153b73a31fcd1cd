import { isAbsolute, join } from 'node:path';
import { planStepFilesystem, type StepFilesystem, type StepMount } from '../executor/index.js';
import type { NodeStatus, Template } from '../model/types.js';
import type { WorkflowRun } from './run.js';

interface VolumeMount {
  name?: unknown;
  mountPath?: unknown;
  subPath?: unknown;
  readOnly?: unknown;
}

interface Volume {
  name?: unknown;
  emptyDir?: unknown;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * The filesystem of a pod's processes, when they need one of their own: when
 * the template names absolute paths (outputs, input artifacts) or mounts
 * volumes. `/tmp` and the other top-level directories it names are the pod's
 * own; a `volumeClaimTemplates` volume, and a Workflow volume of any source
 * but `emptyDir`, is a directory of the run (`<run>/volumes/<name>`) shared by
 * its pods; an `emptyDir` (and a template's own volume) is the pod's. Undefined
 * when the template names no such path or the runner cannot isolate steps.
 */
export function podFilesystem(
  run: WorkflowRun,
  node: NodeStatus,
  template: Template,
): StepFilesystem | undefined {
  const paths: string[] = [];
  for (const p of template.outputs?.parameters ?? []) {
    if (p.valueFrom?.path !== undefined && isAbsolute(p.valueFrom.path))
      paths.push(p.valueFrom.path);
  }
  for (const a of [...(template.outputs?.artifacts ?? []), ...(template.inputs?.artifacts ?? [])]) {
    if (a.path !== undefined && isAbsolute(a.path)) paths.push(a.path);
  }
  const mounts = [
    ...list<VolumeMount>(template.container?.volumeMounts),
    ...list<VolumeMount>(template.script?.volumeMounts),
    ...list<VolumeMount>(template.containerSet?.volumeMounts),
    ...(template.containerSet?.containers ?? []).flatMap((c) => list<VolumeMount>(c.volumeMounts)),
  ];
  if (paths.length === 0 && mounts.length === 0) return undefined;
  if (!run.deps.runner.isolates?.()) return undefined;

  const runDir = join(run.deps.dataDir, 'workflows', run.uid);
  const podVolumes = join(runDir, `${node.id}.volumes`);
  const sources = new Map<string, string>();
  for (const v of list<{ metadata?: { name?: unknown } }>(run.execSpec.volumeClaimTemplates)) {
    const name = v.metadata?.name;
    if (typeof name === 'string') sources.set(name, join(runDir, 'volumes', name));
  }
  for (const v of list<Volume>(run.execSpec.volumes)) {
    if (typeof v.name !== 'string') continue;
    sources.set(
      v.name,
      join(v.emptyDir !== undefined ? podVolumes : join(runDir, 'volumes'), v.name),
    );
  }
  for (const v of list<Volume>(template.volumes)) {
    if (typeof v.name === 'string') sources.set(v.name, join(podVolumes, v.name));
  }
  const stepMounts: StepMount[] = [];
  const seen = new Set<string>();
  for (const m of mounts) {
    if (typeof m.name !== 'string' || typeof m.mountPath !== 'string') continue;
    if (!isAbsolute(m.mountPath) || seen.has(m.mountPath)) continue;
    const source = sources.get(m.name);
    if (source === undefined) continue;
    seen.add(m.mountPath);
    const sub = typeof m.subPath === 'string' && m.subPath ? join(source, m.subPath) : source;
    // A sub-path cannot climb out of its volume.
    if (sub !== source && !sub.startsWith(`${source}/`)) continue;
    stepMounts.push({ source: sub, mountPath: m.mountPath, readOnly: m.readOnly === true });
  }
  return planStepFilesystem({
    root: join(runDir, `${node.id}.root`),
    paths,
    mounts: stepMounts,
    visible: [run.deps.dataDir],
  });
}
