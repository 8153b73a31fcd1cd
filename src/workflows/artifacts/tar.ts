/**
 * A small ustar reader and writer for artifacts: regular files and
 * directories only, as Argo's default `archive: {tar: {}}` stores them.
 * Names longer than ustar's fields are written and read as PAX `path` records.
 */
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { InputError } from '../../errors/index.js';

const BLOCK = 512;

/** One entry of an archive, its name relative to the archive's root. */
interface Entry {
  name: string;
  type: 'file' | 'dir';
  mode: number;
  data?: Buffer;
}

/** Packs a file or a directory as a tar archive whose root entry is the path's base name. */
export async function packTar(path: string): Promise<Buffer> {
  const entries: Entry[] = [];
  await collect(path, basename(path), entries);
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === 'dir' ? `${e.name}/` : e.name;
    if (Buffer.byteLength(name) > 100) blocks.push(...paxRecord(name));
    blocks.push(header(name, e));
    if (e.data) {
      blocks.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad > 0) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

async function collect(path: string, name: string, out: Entry[]): Promise<void> {
  const st = await lstat(path);
  if (st.isDirectory()) {
    out.push({ name, type: 'dir', mode: st.mode & 0o7777 });
    const children = (await readdir(path)).sort();
    for (const child of children) await collect(join(path, child), `${name}/${child}`, out);
  } else if (st.isFile()) {
    out.push({ name, type: 'file', mode: st.mode & 0o7777, data: await readFile(path) });
  }
  // Sockets, devices and symbolic links are not artifacts' content: they are left out.
}

function header(name: string, e: Entry, typeflag?: string, size?: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const bytes = Buffer.from(name);
  h.write(bytes.subarray(0, 100).toString('latin1'), 0, 100, 'latin1');
  octal(h, 100, 8, e.mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size ?? e.data?.length ?? 0);
  octal(h, 136, 12, Math.floor(Date.now() / 1000));
  h.write('        ', 148, 8, 'latin1');
  h.write(typeflag ?? (e.type === 'dir' ? '5' : '0'), 156, 1, 'latin1');
  h.write('ustar\u000000', 257, 8, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return h;
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

/** A PAX extended header carrying a name too long for ustar. */
function paxRecord(name: string): Buffer[] {
  const body = (len: number) => `${len} path=${name}\n`;
  let len = Buffer.byteLength(body(0));
  while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
  const data = Buffer.from(body(len));
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [
    header('PaxHeader', { name: '', type: 'file', mode: 0o644 }, 'x', data.length),
    data,
    Buffer.alloc(pad),
  ];
}

/**
 * Unpacks a tar archive into `dir`, and returns the names of its top-level
 * entries. Entries that would land outside `dir` are refused.
 */
export async function unpackTar(archive: Buffer, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const top = new Set<string>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const h = archive.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = parseOctal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] ?? 0);
    const dataStart = offset + BLOCK;
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(data.toString('utf8')) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = cString(data);
      continue;
    }
    const prefix = cString(h.subarray(345, 500));
    const short = cString(h.subarray(0, 100));
    const name = longName ?? (prefix ? `${prefix}/${short}` : short);
    longName = undefined;
    const rel = safeName(name);
    if (rel === undefined) continue;
    top.add(rel.split('/')[0] ?? rel);
    const target = join(dir, rel);
    const mode = parseOctal(h.subarray(100, 108)) || 0o644;
    if (type === '5') await mkdir(target, { recursive: true });
    else if (type === '0' || type === '\u0000' || type === '7') {
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, data, { mode });
    }
  }
  return [...top];
}

function safeName(name: string): string | undefined {
  const norm = posix.normalize(name.replace(/^\.\/+/, '')).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return undefined;
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../')) {
    throw new InputError(`archive entry '${name}' is outside the artifact`);
  }
  return norm;
}

function paxPath(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}

function parseOctal(buf: Buffer): number {
  const text = cString(buf).trim();
  return text ? parseInt(text, 8) : 0;
}
