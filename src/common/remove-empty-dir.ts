import { rmdirSync } from 'node:fs';

/**
 * Removes a folder only when it is empty (rmdir, never recursive), so nothing another run
 * still needs (a pid file, a lock) can go with it. True when it is gone; false when it still
 * holds something. Other errors (permissions) are thrown.
 */
export function removeEmptyDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}
