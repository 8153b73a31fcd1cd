import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where calendar sources keep their last event: Argo keeps it in a ConfigMap's
 * data under `<eventSource>.<event>`; here each ConfigMap name is a JSON file
 * `<dir>/<name>.json` holding the same map.
 */
export interface CalendarPersistence {
  get(key: string): Promise<string | undefined>;
  save(key: string, payload: string): Promise<void>;
}

/** Opens the store of one "ConfigMap"; throws when it is missing and may not be created. */
export async function openPersistence(
  dir: string,
  name: string,
  createIfNotExist: boolean,
): Promise<CalendarPersistence> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`persistence configMap name ${JSON.stringify(name)} is not a valid name`);
  }
  const file = path.join(dir, `${name}.json`);
  const read = async (): Promise<Record<string, string> | undefined> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  if ((await read()) === undefined) {
    if (!createIfNotExist) {
      throw new Error(`${file} does not exist and createIfNotExist is false`);
    }
    await mkdir(dir, { recursive: true });
    await writeFile(file, '{}\n');
  }
  // Saves of several sources sharing one file go one after another.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async get(key) {
      return (await read())?.[key];
    },
    save(key, payload) {
      const next = queue.then(async () => {
        const data = (await read()) ?? {};
        data[key] = payload;
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
        await rename(tmp, file);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
