import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PlinthError } from '../errors/index.js';
import { runCommand } from './process.js';
import type { Delivery, RenderedFile } from './types.js';

/** Where and how manifests are committed. */
export interface GitOpsTarget {
  /** The working copy, e.g. `<dataDir>/gitops/<environment>`; created when missing. */
  repoDir: string;
  /** A remote to clone from and push to; a local repository only when absent. */
  remote?: string | undefined;
  /** The branch (default `main`). */
  branch?: string | undefined;
  /** The git executable (default `git`). */
  git?: string | undefined;
}

/** What one deployment commits. */
export interface GitOpsChange {
  /** The application's folder inside the repository, e.g. `apps/web`. */
  folder: string;
  files: RenderedFile[];
  message: string;
  author?: { name: string; email: string };
}

const LOCK_FILE = '.plinth-lock';
const LOCK_WAIT_MS = 60_000;
const LOCK_STALE_MS = 5 * 60_000;

/**
 * Commits an application's manifests to the environment's GitOps repository
 * (the commit Argo CD would sync) and pushes it when a remote is configured.
 * Every deployment makes its own commit, so its sha names it even when the
 * files did not change.
 */
export async function deliverToGit(target: GitOpsTarget, change: GitOpsChange): Promise<Delivery> {
  const branch = target.branch ?? 'main';
  const author = change.author ?? { name: 'Plinth', email: 'plinth@localhost' };
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_TERMINAL_PROMPT: '0',
  };
  const git = async (args: string[], cwd = target.repoDir) => {
    const result = await runCommand(target.git ?? 'git', args, { cwd, env });
    if (result.code !== 0) {
      throw new PlinthError(
        'PROCESS_FAILED',
        `git ${args[0] ?? ''} failed in ${cwd}: ${result.stderr.trim() || result.stdout.trim()}`,
        { details: { args, code: result.code } },
      );
    }
    return result.stdout.trim();
  };

  await mkdir(path.dirname(target.repoDir), { recursive: true });
  const release = await lock(`${target.repoDir}${LOCK_FILE}`);
  try {
    if (!existsSync(path.join(target.repoDir, '.git'))) {
      if (target.remote) {
        await git(
          ['clone', '--quiet', target.remote, target.repoDir],
          path.dirname(target.repoDir),
        );
      } else {
        await mkdir(target.repoDir, { recursive: true });
        await git(['init', '--quiet', `--initial-branch=${branch}`]);
      }
    }
    if (target.remote) {
      const remotes = await git(['ls-remote', '--heads', 'origin', branch]);
      if (remotes !== '') {
        await git(['fetch', '--quiet', 'origin', branch]);
        await git(['checkout', '--quiet', '-B', branch, `origin/${branch}`]);
      } else {
        await git(['checkout', '--quiet', '-B', branch]);
      }
    }
    const folder = path.join(target.repoDir, change.folder);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    for (const file of change.files) {
      await writeFile(path.join(folder, file.path), file.content);
    }
    await git(['add', '--all', '--', change.folder]);
    await git(['commit', '--quiet', '--allow-empty', '-m', change.message]);
    const revision = await git(['rev-parse', 'HEAD']);
    if (target.remote) await git(['push', '--quiet', 'origin', `HEAD:${branch}`]);
    return { revision, target: target.remote ?? target.repoDir };
  } finally {
    await release();
  }
}

/**
 * An exclusive lock between processes (two deployments to one environment
 * at once), taken by creating a file; a lock older than a few minutes was
 * left by a process that died.
 */
async function lock(file: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(file, { force: true });
      else if (Date.now() > deadline) {
        throw new PlinthError('UNAVAILABLE', `the GitOps repository is locked by ${file}`);
      } else await new Promise((r) => setTimeout(r, 50));
    }
  }
}
