import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { parse } from 'yaml';
import { packageRoot } from '../../config/index.js';
import { action, type Session } from '../context.js';

/** What `plinth render` renders for. */
const Target = { kubernetes: 'kubernetes' } as const;
type Target = (typeof Target)[keyof typeof Target];

const Format = { yaml: 'yaml', json: 'json' } as const;
type Format = (typeof Format)[keyof typeof Format];

interface RenderFlags {
  target: Target;
  catalog?: string;
  namespace?: string;
  image?: string;
  terraformImage?: string;
  secret?: string;
  output: Format;
  out?: string;
}

async function packageVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'latest';
  } catch {
    return 'latest';
  }
}

/** Adds `plinth render --target kubernetes`: the manifests that install the platform in a cluster. */
export function registerRenderCommand(program: Command, session: Session): void {
  program
    .command('render')
    .description(
      'print the manifests that install the platform in a cluster (Argo Events and Workflows installed)',
    )
    .addOption(
      new Option('--target <target>', 'where the platform is installed')
        .choices(Object.values(Target))
        .makeOptionMandatory(),
    )
    .option(
      '--catalog <dir>',
      "the catalog to install (default: PLINTH_CATALOG_DIR, else the package's)",
    )
    .option('--namespace <ns>', "the namespace of everything (default: the catalog's, else plinth)")
    .option('--image <image>', 'the Plinth image (default: ghcr.io/plinth-dev/plinth:<version>)')
    .option(
      '--terraform-image <image>',
      "the image whose /bin/terraform the steps use (default: hashicorp/terraform at the catalog's version)",
    )
    .option('--secret <name>', "the Secret with the API's credentials (default: plinth)")
    .addOption(
      new Option('-o, --output <format>', 'a YAML stream, or a JSON List')
        .choices(Object.values(Format))
        .default(Format.yaml),
    )
    .option('--out <dir>', 'write one file an object and a kustomization.yaml into DIR instead')
    .action(action(session, (flags: RenderFlags) => render(session, flags)));
}

async function render(session: Session, flags: RenderFlags): Promise<number> {
  const { io } = session;
  const { loadCatalog } = await import('../../catalog/index.js');
  const { installFiles, installList, renderInstall, toYamlStream } =
    await import('../../kubernetes/index.js');
  const cwd = io.cwd ?? process.cwd();
  const catalogDir = path.resolve(
    cwd,
    flags.catalog ?? io.env.PLINTH_CATALOG_DIR ?? path.join(packageRoot, 'catalog'),
  );
  const catalog = await loadCatalog(catalogDir);
  const install = await renderInstall(catalog, {
    image: flags.image ?? `ghcr.io/plinth-dev/plinth:${await packageVersion()}`,
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(flags.terraformImage !== undefined ? { terraformImage: flags.terraformImage } : {}),
    ...(flags.secret !== undefined ? { secretName: flags.secret } : {}),
  });
  const o = install.options;
  const summary = `Namespace ${o.namespace}: Plinth image ${o.image}, terraform from ${o.terraformImage}, the API's credentials from Secret ${o.secretName} (create it first: see docs/kubernetes.md).`;
  for (const note of [summary, ...install.notes]) io.stderr.write(`# ${note}\n`);
  if (flags.out === undefined) {
    io.stdout.write(
      flags.output === Format.json ? installList(install.objects) : toYamlStream(install.objects),
    );
    return 0;
  }
  const dir = path.resolve(cwd, flags.out);
  await mkdir(dir, { recursive: true });
  const files = installFiles(install.objects);
  await removeStale(dir, new Set(files.map((f) => f.path)));
  for (const file of files) await writeFile(path.join(dir, file.path), file.content);
  io.stderr.write(
    `Wrote ${files.length - 1} objects and kustomization.yaml to ${dir}; install with kubectl apply -k ${flags.out}\n`,
  );
  return 0;
}

/** Removes the files an earlier render listed in the folder's kustomization that this one does not write. */
async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  let earlier: unknown;
  try {
    earlier = parse(await readFile(path.join(dir, 'kustomization.yaml'), 'utf8'));
  } catch {
    return;
  }
  const resources = (earlier as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return;
  for (const file of resources) {
    if (typeof file === 'string' && !keep.has(file) && /^[^/\\]+\.yaml$/.test(file)) {
      await rm(path.join(dir, file), { force: true });
    }
  }
}
