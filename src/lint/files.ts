import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { LintSource } from './types.js';

const manifestFile = /\.(ya?ml|json)$/i;
/** Terraform files sit next to the manifests in a catalog; lint leaves them to Terraform. */
const terraformFile = /\.(tf|tfvars|hcl)$/i;

/**
 * Reads the files named (but Terraform's), and the YAML and JSON files under
 * the folders named (recursively, sorted, skipping hidden folders and
 * node_modules). Names are reported as given, relative to `cwd` when they
 * are relative.
 */
export async function readSources(paths: readonly string[], cwd: string): Promise<LintSource[]> {
  const files: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      throw new InputError(`${given}: no such file or folder`, {
        errors: [
          {
            field: 'path',
            message: `${given} does not exist`,
            fix: 'name a manifest file or a folder of them',
          },
        ],
      });
    }
    if (info.isDirectory()) {
      const terraform: string[] = [];
      const found = await listManifests(absolute, terraform);
      if (found.length === 0 && terraform.length === 0) {
        throw new InputError(`${given}: no YAML or JSON files in this folder`, {
          errors: [
            {
              field: 'path',
              message: `${given} holds no .yaml, .yml or .json file`,
              fix: 'name a folder of manifests',
            },
          ],
        });
      }
      files.push(...found.map((f) => path.join(given, path.relative(absolute, f))));
    } else if (!terraformFile.test(given)) files.push(given);
  }
  const unique = [...new Set(files)];
  return Promise.all(
    unique.map(async (file) => ({ file, text: await readManifest(path.resolve(cwd, file)) })),
  );
}

/** The one line a symbolic link becomes when a checkout cannot make links: a relative path. */
const linkText = /^\.{0,2}\/?(?:[\w.-]+\/)*[\w.-]+\.(ya?ml|json)$/i;

/**
 * A file's text; a file that holds only the relative path of another
 * manifest (a symbolic link checked out as text, as git does where links
 * cannot be made) reads as the manifest it names.
 */
async function readManifest(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  if (text.length > 1024 || !linkText.test(text.trim())) return text;
  const target = path.resolve(path.dirname(file), text.trim());
  return readFile(target, 'utf8').catch(() => text);
}

async function listManifests(dir: string, terraform: string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') {
        found.push(...(await listManifests(full, terraform)));
      }
    } else if (entry.isFile() && manifestFile.test(entry.name)) found.push(full);
    else if (entry.isFile() && terraformFile.test(entry.name)) terraform.push(full);
  }
  return found;
}
