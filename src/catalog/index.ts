export { loadCatalog, toManifest } from './load.js';
export { parseManifests } from './parse.js';
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
  parseRequestKind,
  KINDS_DIR,
  REQUEST_KIND,
  REQUEST_KIND_API_VERSION,
} from './kinds.js';
