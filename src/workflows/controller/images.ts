/**
 * What a container's image would run when its template gives no `command`:
 * Kubernetes runs the image's ENTRYPOINT followed by `args` (or by the image's
 * CMD when there are no args). Images are not pulled here, so the entrypoints
 * of the images Argo's examples use are known by name; their programs are
 * found on the step's PATH (`argosay` ships in the package's `bin/`).
 */
interface ImageDefaults {
  entrypoint: string[];
  cmd: string[];
}

const SHELL: ImageDefaults = { entrypoint: [], cmd: ['sh'] };

const IMAGES: { pattern: RegExp; defaults: ImageDefaults }[] = [
  { pattern: /^argoproj\/argosay:v1$/, defaults: { entrypoint: [], cmd: ['cowsay'] } },
  { pattern: /^argoproj\/argosay(:|$)/, defaults: { entrypoint: ['argosay'], cmd: [] } },
  { pattern: /^(alpine|busybox|debian|ubuntu)(:|$)/, defaults: SHELL },
  { pattern: /^python(:|$)/, defaults: { entrypoint: [], cmd: ['python3'] } },
  { pattern: /^curlimages\/curl(:|$)/, defaults: { entrypoint: ['curl'], cmd: [] } },
  { pattern: /^stedolan\/jq(:|$)/, defaults: { entrypoint: ['jq'], cmd: [] } },
];

/**
 * Programs inside images that the host names differently: `/argosay` (also in
 * shell lines, `sh -c "/argosay echo hi"`) and Python images' `python`.
 */
const STAND_INS: { image: RegExp; program: RegExp; host: string }[] = [
  {
    image: /^argoproj\/argosay(:|$)/,
    program: /(^|[\s;&|(`])\/argosay(?=$|[\s;&|)`])/g,
    host: 'argosay',
  },
  { image: /^python(:|$)/, program: /^()python$/, host: 'python3' },
];

/**
 * The argv a container runs on this machine, or undefined when its image's
 * entrypoint is not known and the template names no command.
 */
export function containerArgv(
  image: string | undefined,
  command: string[] | undefined,
  args: string[] | undefined,
): string[] | undefined {
  const name = imageName(image);
  const argv = commandOf(name, command, args);
  if (argv === undefined || argv.length === 0) return undefined;
  return withStandIns(name, argv);
}

/** The argv of a script template, before its source file: `command` (else the image entrypoint, else sh) and `args`. */
export function scriptArgv(
  image: string | undefined,
  command: string[] | undefined,
  args: string[] | undefined,
): string[] {
  const name = imageName(image);
  // Without a command the image's entrypoint gets the args and the script's path (argosay
  // `echo hi` writes `hi` into the script file); an image with none runs the script with sh.
  const entrypoint = IMAGES.find((i) => i.pattern.test(name))?.defaults.entrypoint ?? [];
  const program =
    command && command.length > 0 ? command : entrypoint.length > 0 ? entrypoint : ['sh'];
  return withStandIns(name, [...program, ...(args ?? [])]);
}

function withStandIns(image: string, argv: string[]): string[] {
  const stand = STAND_INS.find((p) => p.image.test(image));
  return stand ? argv.map((a) => a.replace(stand.program, `$1${stand.host}`)) : argv;
}

function imageName(image: string | undefined): string {
  return (image ?? '').replace(/^(docker\.io\/|quay\.io\/)?(library\/)?/, '');
}

function commandOf(
  name: string,
  command: string[] | undefined,
  args: string[] | undefined,
): string[] | undefined {
  if (command !== undefined && command.length > 0) return [...command, ...(args ?? [])];
  const defaults = IMAGES.find((i) => i.pattern.test(name))?.defaults;
  if (defaults === undefined) return undefined;
  return [...defaults.entrypoint, ...(args && args.length > 0 ? args : defaults.cmd)];
}
