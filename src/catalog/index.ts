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
} from './types.js';
