export type { ApplicationSpec, Delivery, KubernetesObject, RenderedFile } from './types.js';
export {
  objectNames,
  renderFiles,
  renderObjects,
  renderSecret,
  toYaml,
  toYamlStream,
} from './render.js';
export { deliverToGit, type GitOpsChange, type GitOpsTarget } from './gitops.js';
export { applyWithKubectl, kubectlApplyArgs, type KubectlTarget } from './kubectl.js';
