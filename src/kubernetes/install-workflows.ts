import type { CatalogItem } from './install-catalog.js';
import { InstallNames, StepPaths } from './install-types.js';
import type { KubernetesObject } from './types.js';

/** The Terraform version used when the catalog's step images name none. */
export const DEFAULT_TERRAFORM_VERSION = '1.11';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Volume names the adjusted steps mount. */
const Volumes = { catalog: 'plinth-catalog', data: 'plinth-data', tools: 'plinth-tools' } as const;

/** `plinth` run as a command in a shell script or a container's command line. */
const RUNS_PLINTH = /(^|[\s;|&(`'"])plinth\s/m;
/** `terraform` run by the step (through `plinth terraform` or directly). */
const RUNS_TERRAFORM = /(^|[\s;|&(`'"])terraform\s/m;

/**
 * The Terraform version the catalog pins: the tag of the first step image
 * whose name contains "terraform" (e.g. `…/plinth-terraform:1.11`).
 */
export function pinnedTerraformVersion(templates: KubernetesObject[]): string {
  for (const wt of templates) {
    for (const t of stepTemplates(wt)) {
      const image = (t.script ?? t.container)?.image;
      const match =
        typeof image === 'string' ? /terraform[^/:]*:v?(\d+\.\d+(?:\.\d+)?)/.exec(image) : null;
      if (match?.[1]) return match[1];
    }
  }
  return DEFAULT_TERRAFORM_VERSION;
}

interface StepTemplate extends Obj {
  name?: string;
  script?: Obj;
  container?: Obj;
}

function stepTemplates(wt: KubernetesObject): StepTemplate[] {
  const spec = isObj(wt.spec) ? wt.spec : {};
  const templates = Array.isArray(spec.templates) ? spec.templates : [];
  return templates.filter(
    (t): t is StepTemplate => isObj(t) && (isObj(t.script) || isObj(t.container)),
  );
}

function commandText(step: Obj): string {
  const words = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const source = typeof step.source === 'string' ? step.source : '';
  return [...words(step.command), ...words(step.args), source].join(' ');
}

function addEnv(step: Obj, name: string, value: string): void {
  const env = Array.isArray(step.env) ? (step.env as Obj[]) : [];
  if (!env.some((e) => e.name === name)) env.push({ name, value });
  step.env = env;
}

function addMount(step: Obj, mount: Obj): void {
  const mounts = Array.isArray(step.volumeMounts) ? (step.volumeMounts as Obj[]) : [];
  if (!mounts.some((m) => m.name === mount.name || m.mountPath === mount.mountPath)) {
    mounts.push(mount);
  }
  step.volumeMounts = mounts;
}

/** What the WorkflowTemplate adjustments need to know. */
export interface StepImages {
  /** The Plinth image, for steps that run `plinth`. */
  plinth: string;
  /** The image whose `/bin/terraform` the steps use. */
  terraform: string;
  /** The catalog ConfigMap's items, mounted as the catalog folder. */
  catalogItems: CatalogItem[];
}

/**
 * Adjusts a WorkflowTemplate for a cluster, where the host conveniences of
 * the embedded engine are not there: a step that runs `plinth` runs on the
 * Plinth image; a step that runs terraform gets the binary from the
 * terraform image (copied by an init container into a shared folder) and
 * `PLINTH_TERRAFORM_BIN` pointing at it; both get the catalog (its modules)
 * from the catalog ConfigMap and a data folder on a PersistentVolumeClaim,
 * where Terraform's workspaces outlive the step (a plan is applied by a later
 * step, a destroy by a later Workflow). Parameters, labels and every other
 * step stay as written. The Workflows run as the workflow ServiceAccount.
 */
export function clusterWorkflowTemplate(
  wt: KubernetesObject,
  images: StepImages,
  notes: string[],
): KubernetesObject {
  const copy = structuredClone(wt);
  const spec = (isObj(copy.spec) ? copy.spec : {}) as Obj;
  copy.spec = spec;
  if (spec.serviceAccountName === undefined) spec.serviceAccountName = InstallNames.workflowAccount;
  const used = new Set<string>();
  const changed: string[] = [];
  const onImages = new Set<string>();
  for (const t of stepTemplates(copy)) {
    const step = (t.script ?? t.container) as Obj;
    const text = commandText(step);
    const plinth = RUNS_PLINTH.test(text);
    const terraform = RUNS_TERRAFORM.test(text);
    if (!plinth && !terraform) continue;
    changed.push(String(t.name));
    const image = plinth ? images.plinth : images.terraform;
    step.image = image;
    onImages.add(image);
    addMount(step, { name: Volumes.catalog, mountPath: StepPaths.catalog, readOnly: true });
    addMount(step, { name: Volumes.data, mountPath: StepPaths.data });
    addEnv(step, 'PLINTH_CATALOG_DIR', StepPaths.catalog);
    addEnv(step, 'PLINTH_DATA_DIR', StepPaths.data);
    used.add(Volumes.catalog).add(Volumes.data);
    if (plinth && terraform) {
      addMount(step, { name: Volumes.tools, mountPath: StepPaths.tools, readOnly: true });
      addEnv(step, 'PLINTH_TERRAFORM_BIN', `${StepPaths.tools}/terraform`);
      used.add(Volumes.tools);
      const inits = Array.isArray(t.initContainers) ? (t.initContainers as Obj[]) : [];
      if (!inits.some((c) => c.name === 'terraform-binary')) {
        inits.push({
          name: 'terraform-binary',
          image: images.terraform,
          command: ['cp', '/bin/terraform', `${StepPaths.tools}/terraform`],
          volumeMounts: [{ name: Volumes.tools, mountPath: StepPaths.tools }],
        });
      }
      t.initContainers = inits;
    }
  }
  if (used.size === 0) return copy;
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Obj[]) : [];
  const add = (volume: Obj) => {
    if (used.has(String(volume.name)) && !volumes.some((v) => v.name === volume.name)) {
      volumes.push(volume);
    }
  };
  add({
    name: Volumes.catalog,
    configMap: { name: InstallNames.catalog, items: images.catalogItems },
  });
  add({ name: Volumes.data, persistentVolumeClaim: { claimName: InstallNames.workflowData } });
  add({ name: Volumes.tools, emptyDir: {} });
  spec.volumes = volumes;
  const terraform = used.has(Volumes.tools) ? `, terraform from ${images.terraform}` : '';
  notes.push(
    `WorkflowTemplate "${wt.metadata.name}": steps ${changed.join(', ')} run on ${[...onImages].join(' and ')}${terraform}, with the catalog from ConfigMap ${InstallNames.catalog} and the data folder (Terraform workspaces) on PersistentVolumeClaim ${InstallNames.workflowData}.`,
  );
  return copy;
}
