import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import type { PlanSummary } from './types.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Files of a workspace that outlive a refresh of the module copy. */
const KEPT = new Set([
  '.terraform',
  '.terraform.lock.hcl',
  '.terraform.tfstate.lock.info',
  'terraform.tfstate',
  'terraform.tfstate.backup',
  'plinth.tfplan',
  'plinth-workspace.json',
]);

/** What Plinth remembers of a workspace between its steps. */
export interface WorkspaceRecord {
  module: string;
  /** The saved plan waiting to be applied, relative to the workspace; absent once applied. */
  plan?: string;
  destroy: boolean;
  plannedAt: string;
  appliedAt?: string;
  summary?: PlanSummary;
  /** The `TF_VAR_*` values of the last plan that was not a destroy, for destroying later. */
  vars?: Record<string, string>;
}

/** Throws InputError unless `name` is a safe single path component. */
export function checkName(kind: 'workspace' | 'module', name: string): string {
  if (!SAFE_NAME.test(name)) {
    throw new InputError(
      `invalid ${kind} name ${JSON.stringify(name)} (use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters)`,
      { errors: [{ field: kind, message: 'not a safe name', fix: 'use e.g. environment-dev1' }] },
    );
  }
  return name;
}

/** `<dataDir>/terraform/<workspace>`, after checking the name. */
export function workspaceDir(dataDir: string, workspace: string): string {
  return path.join(dataDir, 'terraform', checkName('workspace', workspace));
}

/**
 * Makes the workspace's directory hold a fresh copy of the module's files,
 * keeping Terraform's state and the last saved plan.
 */
export async function refreshModule(dir: string, moduleDir: string): Promise<void> {
  const found = await stat(moduleDir).catch(() => undefined);
  if (!found?.isDirectory()) {
    throw new NotFoundError(`no Terraform module at ${moduleDir}`);
  }
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (!KEPT.has(entry)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const entry of await readdir(moduleDir)) {
    if (KEPT.has(entry) && entry !== '.terraform.lock.hcl') continue;
    await cp(path.join(moduleDir, entry), path.join(dir, entry), { recursive: true });
  }
}

const RECORD = 'plinth-workspace.json';

export async function readRecord(dir: string): Promise<WorkspaceRecord | undefined> {
  const text = await readFile(path.join(dir, RECORD), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as WorkspaceRecord);
}

export async function writeRecord(dir: string, record: WorkspaceRecord): Promise<void> {
  await writeFile(path.join(dir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
