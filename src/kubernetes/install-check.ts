import type { KubernetesObject } from './types.js';

/** A DNS-1123 subdomain: most object names. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A DNS-1123 label: Namespaces, Services, containers, volumes, ports' names. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label value (and the name part of a label key). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kinds whose names must be DNS labels (at most 63 characters). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** Kinds that live in no namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has an invalid prefix`;
  }
  if (name === '' || name.length > 63 || !LABEL_VALUE.test(name)) {
    return `label key "${key}" has an invalid name`;
  }
  return undefined;
}

function labelProblems(labels: unknown, where: string): string[] {
  if (labels === undefined) return [];
  if (!isObj(labels)) return [`${where} must be a mapping`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) problems.push(`${where}: ${keyProblem}`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push(
        `${where}: the value of "${key}" must be a label value, not ${JSON.stringify(value)}`,
      );
    }
  }
  return problems;
}

function matches(selector: unknown, labels: unknown): boolean {
  if (!isObj(selector) || !isObj(labels)) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podProblems(pod: Obj, where: string): string[] {
  const problems: string[] = [];
  const containers = Array.isArray(pod.containers) ? (pod.containers as Obj[]) : [];
  if (containers.length === 0)
    problems.push(`${where}.containers must list at least one container`);
  const volumes = new Set(
    (Array.isArray(pod.volumes) ? (pod.volumes as Obj[]) : []).map((v) => v.name),
  );
  for (const c of containers) {
    if (typeof c.name !== 'string' || !LABEL.test(c.name)) {
      problems.push(`${where}: container name ${JSON.stringify(c.name)} must be a DNS label`);
    }
    if (typeof c.image !== 'string' || c.image === '') {
      problems.push(`${where}: container ${String(c.name)} needs an image`);
    }
    for (const m of Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : []) {
      if (!volumes.has(m.name)) {
        problems.push(
          `${where}: container ${String(c.name)} mounts volume ${String(m.name)}, which the pod does not define`,
        );
      }
    }
  }
  return problems;
}

/**
 * What Kubernetes itself would refuse in an object: names (DNS-1123), a
 * namespace on namespaced kinds, labels, a Deployment's selector that its pod
 * template does not match, a Service that selects no rendered pods, a pod
 * without containers or mounting an undefined volume. The Argo kinds are
 * checked by their schemas in the tests; here only their metadata.
 * Returns one sentence a problem.
 */
export function checkObjects(objects: KubernetesObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const podLabels: unknown[] = [];
  for (const o of objects) {
    const tmpl = isObj(o.spec) && isObj(o.spec.template) ? o.spec.template : undefined;
    if (o.kind === 'Deployment' && isObj(tmpl?.metadata)) podLabels.push(tmpl.metadata.labels);
  }
  for (const o of objects) {
    const { name, namespace } = o.metadata;
    const id = `${o.kind} ${String(name)}`;
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '')
      problems.push(`${id}: apiVersion is missing`);
    const pattern = LABEL_NAMED.has(o.kind) ? LABEL : SUBDOMAIN;
    const limit = LABEL_NAMED.has(o.kind) ? 63 : 253;
    if (typeof name !== 'string' || name.length > limit || !pattern.test(name)) {
      problems.push(
        `${id}: the name must be a DNS-1123 ${LABEL_NAMED.has(o.kind) ? 'label' : 'subdomain'}`,
      );
    }
    if (CLUSTER_SCOPED.has(o.kind)) {
      if (namespace !== undefined) problems.push(`${id}: a ${o.kind} has no namespace`);
    } else if (typeof namespace !== 'string' || !LABEL.test(namespace)) {
      problems.push(`${id}: metadata.namespace must be set to a DNS label`);
    }
    const key = `${o.kind}/${String(namespace)}/${String(name)}`;
    if (seen.has(key)) problems.push(`${id}: rendered twice`);
    seen.add(key);
    problems.push(...labelProblems(o.metadata.labels, `${id} metadata.labels`));
    const spec = isObj(o.spec) ? o.spec : {};
    if (o.kind === 'Deployment') {
      const selector = isObj(spec.selector) ? spec.selector.matchLabels : undefined;
      const template = isObj(spec.template) ? spec.template : {};
      const labels = isObj(template.metadata) ? template.metadata.labels : undefined;
      if (!isObj(selector) || Object.keys(selector).length === 0) {
        problems.push(`${id}: spec.selector.matchLabels is required`);
      } else if (!matches(selector, labels)) {
        problems.push(`${id}: spec.selector does not match the pod template's labels`);
      }
      problems.push(...labelProblems(labels, `${id} pod template labels`));
      problems.push(...podProblems(isObj(template.spec) ? template.spec : {}, `${id} pod`));
    }
    if (o.kind === 'Service') {
      const ports = Array.isArray(spec.ports) ? spec.ports : [];
      if (ports.length === 0) problems.push(`${id}: spec.ports must list at least one port`);
      if (!podLabels.some((l) => matches(spec.selector, l))) {
        problems.push(`${id}: spec.selector matches no rendered pod template`);
      }
    }
  }
  return problems;
}
