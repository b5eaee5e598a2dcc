import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** sha256 (hex) of a file, streamed: a multi-gigabyte log costs no memory. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function sha256Text(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Regular files under dir, as `/`-separated paths relative to it, sorted. Symlinks are listed, not followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Size and sha256 of one file; a symlink is hashed as its target path, never followed out of the dir. */
export async function digestFile(path: string): Promise<{ size: number; sha256: string }> {
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) {
    const target = await readlink(path);
    return { size: Buffer.byteLength(target), sha256: sha256Text(`symlink:${target}`) };
  }
  return { size: stat.size, sha256: await sha256File(path) };
}

/**
 * One sha256 over a file or a folder: each file's relative path and bytes, in name order, so
 * two identical build outputs give the same hash wherever they live. Null when path is absent.
 */
export async function digestTree(path: string): Promise<{ sha256: string; files: number } | null> {
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!stat) return null;
  if (!stat.isDirectory()) return { sha256: (await digestFile(path)).sha256, files: 1 };
  const hash = createHash('sha256');
  const files = await listFiles(path);
  for (const name of files) hash.update(`${name}\0${(await digestFile(join(path, name))).sha256}\n`);
  return { sha256: hash.digest('hex'), files: files.length };
}
