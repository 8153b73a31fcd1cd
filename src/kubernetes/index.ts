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
export { renderInstall, resolveInstallOptions, DEFAULT_NAMESPACE } from './install.js';
export { installFiles, installFileName, installList } from './install-files.js';
export {
  InstallNames,
  SecretKeys,
  API_PORT,
  type Install,
  type InstallOptions,
  type ResolvedInstallOptions,
} from './install-types.js';
