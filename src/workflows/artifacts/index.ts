export {
  createLocalArtifactRepository,
  ArchiveStrategy,
  ARCHIVE_SUFFIX,
  type ArtifactRepository,
  type LocalArtifactRepositoryOptions,
} from './repository.js';
export { packTar, unpackTar } from './tar.js';
