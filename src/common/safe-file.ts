import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { RgUnsafeFileError } from './errors.js';

/** Configs, `extends` targets and env files: a hand-written config is a few KiB; the korrigo preset ~30 KiB. */
export const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** A PEM key is under 1 KiB. */
export const KEY_MAX_BYTES = 64 * 1024;
/** summary.json, manifest.json, the attestation: JSON the gate wrote; a long run's is a few MiB. */
export const EVIDENCE_JSON_MAX_BYTES = 64 * 1024 * 1024;
/** A log artifact verify hashes (streamed, never held in memory): a 512 MiB service log is usual, 4 GiB is not. */
export const ARTIFACT_MAX_BYTES = 4 * 1024 * 1024 * 1024;

export interface SafeFileOptions {
  /** Larger files are refused (stat size first, then what is actually read). */
  maxBytes: number;
  /** The folder the file must stay in once every symlink is resolved (verify/compare: the log dir). */
  within?: string;
  /** What the file is, for the message: `config`, `extends target`, `manifest.json`. */
  what?: string;
}

/**
 * Checks without opening that path is a regular file of at most maxBytes (and inside `within`,
 * symlinks resolved): a FIFO would block the open, /dev/zero would fill memory, a symlink out of
 * the log dir would make verify read (and print) someone else's file. Returns the file's stat and
 * the path to open (the resolved one when `within` is given). Throws RgUnsafeFileError (exit 2).
 * A missing file is not this helper's business: the fs error (ENOENT) is thrown as it is.
 */
export function checkRegularFile(path: string, opts: SafeFileOptions): { stat: Stats; open: string } {
  const what = opts.what ?? 'file';
  let open = path;
  if (opts.within !== undefined) {
    const link = lstatSync(path);
    const real = realpathSync(path);
    const root = realpathSync(opts.within);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
      throw new RgUnsafeFileError(
        path,
        `${what} ${path} ${link.isSymbolicLink() ? 'is a symlink' : 'resolves'} to ${real}, outside ${opts.within}; only files inside it are read.`,
        'Give the log dir as the run wrote it: its files are regular files inside it.',
      );
    }
    open = real;
  }
  const stat = statSync(open);
  if (!stat.isFile()) throw notRegular(path, what, stat, opts.maxBytes);
  if (stat.size > opts.maxBytes) throw tooBig(path, what, stat.size, opts.maxBytes);
  return { stat, open };
}

/**
 * Opens a file checked by checkRegularFile; O_NONBLOCK so that a FIFO swapped in after the check
 * cannot block the open, and fstat so that what was opened is what was checked. The caller closes it.
 */
export function openRegularFile(path: string, opts: SafeFileOptions): { fd: number; size: number } {
  const what = opts.what ?? 'file';
  const { open } = checkRegularFile(path, opts);
  // O_NOFOLLOW when the path was resolved: a symlink swapped in since then is refused by the kernel.
  const fd = openSync(open, constants.O_RDONLY | constants.O_NONBLOCK | (opts.within !== undefined ? constants.O_NOFOLLOW : 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, what, stat, opts.maxBytes);
    if (stat.size > opts.maxBytes) throw tooBig(path, what, stat.size, opts.maxBytes);
    return { fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The whole content of a checked regular file, never more than maxBytes (a file growing meanwhile is refused). */
export function readRegularFile(path: string, opts: SafeFileOptions): Buffer {
  const { fd, size } = openRegularFile(path, opts);
  try {
    // One byte more than allowed tells a file that grew since the fstat.
    const buffer = Buffer.alloc(Math.min(size, opts.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > opts.maxBytes) throw tooBig(path, opts.what ?? 'file', length, opts.maxBytes);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** readRegularFile as UTF-8 text. */
export function readRegularText(path: string, opts: SafeFileOptions): string {
  return readRegularFile(path, opts).toString('utf8');
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(path: string, what: string, stat: Stats, maxBytes: number): RgUnsafeFileError {
  return new RgUnsafeFileError(path, `${what} ${path} is ${kindOf(stat)}; only a regular file (at most ${formatBytes(maxBytes)}) is read.`, 'Give the path of a regular file.');
}

function tooBig(path: string, what: string, size: number, maxBytes: number): RgUnsafeFileError {
  return new RgUnsafeFileError(path, `${what} ${path} is ${formatBytes(size)}; at most ${formatBytes(maxBytes)} is read.`, 'Give the right file: this one is too big to be what it should be.');
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * JSON.parse without its excerpt: V8 quotes the text it could not parse (`Unexpected token 'p',
 * "precious…" is not valid JSON`), and the text may be someone else's file. Throws an Error
 * saying only where parsing stopped.
 */
export function parseJsonQuietly(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const position = /at position (\d+)/.exec((err as Error).message)?.[1];
    throw new Error(`not valid JSON${position === undefined ? '' : ` (at byte ${position})`}`);
  }
}
