/**
 * Fields Plinth reads that Argo's schema does not have, by `Type.field`, with
 * what they do; and the types only they use. Argo refuses manifests that use
 * them, so lint notes each use.
 */
export const plinthExtensions: Readonly<Record<string, string>> = {
  'Artifact.local':
    "an artifact in Plinth's local repository (under the data directory), by its key",
};

/** Types that exist only for Plinth's extensions. */
export const plinthExtensionTypes: readonly string[] = ['LocalArtifact'];
