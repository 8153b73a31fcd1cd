import { createHash } from 'node:crypto';
import { PlinthError } from '../errors/index.js';
import { runCommand } from './process.js';
import type { Delivery } from './types.js';

/** How to reach the environment's cluster. */
export interface KubectlTarget {
  /** The environment's kubeconfig file. */
  kubeconfig: string;
  namespace: string;
  /** The kubectl executable (default `kubectl`). */
  kubectl?: string | undefined;
  /** `--dry-run=client`: check, change nothing. */
  dryRun?: boolean | undefined;
}

/** The arguments of `kubectl apply` for a target; manifests come on stdin. */
export function kubectlApplyArgs(target: KubectlTarget): string[] {
  return [
    'apply',
    '--kubeconfig',
    target.kubeconfig,
    '--namespace',
    target.namespace,
    ...(target.dryRun ? ['--dry-run=client'] : []),
    '--output',
    'name',
    '--filename',
    '-',
  ];
}

/**
 * Applies a YAML stream with `kubectl apply -f -`. The stream goes through
 * stdin, never a file, since it may hold a Secret.
 */
export async function applyWithKubectl(
  target: KubectlTarget,
  manifests: string,
): Promise<Delivery> {
  const result = await runCommand(target.kubectl ?? 'kubectl', kubectlApplyArgs(target), {
    input: manifests,
  });
  if (result.code !== 0) {
    throw new PlinthError(
      'PROCESS_FAILED',
      `kubectl apply failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      { details: { code: result.code } },
    );
  }
  const digest = createHash('sha256').update(manifests).digest('hex').slice(0, 12);
  return { revision: `kubectl-${digest}`, target: target.kubeconfig };
}
