export { loadCatalog, toManifest } from './load.js';
export { parseManifests, type ManifestParseOptions } from './parse.js';
export { indentFlowContinuations, type Reindented } from './flow-indent.js';
export { ManifestKind } from './types.js';
export type {
  Catalog,
  CatalogEntry,
  Manifest,
  ManifestMetadata,
  ManifestPath,
  ParsedDocument,
  SourcePosition,
  RequestKind,
} from './types.js';
export {
  checkRequestKinds,
  loadRequestKinds,
  readRequestKindsSync,
  parseRequestKind,
  KINDS_DIR,
  REQUEST_KIND,
  REQUEST_KIND_API_VERSION,
} from './kinds.js';
export {
  loadTierPolicy,
  parseTierPolicy,
  approvalRequired,
  tierRule,
  DEFAULT_TIER_POLICY,
  ApprovalRule,
  EnvironmentAction,
  type TierPolicy,
  type TierRule,
} from './tiers.js';
