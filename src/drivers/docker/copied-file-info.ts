import { stat } from 'node:fs/promises';
import type Docker from 'dockerode';
import { errorMessage } from '../../common/errors.js';
import type { CopiedFile } from '../../model/stack.js';

/**
 * When a file `docker cp` just copied was last written: `docker cp` sets the copy's mtime from
 * the archive header (the container's mtime, engine clock), and the engine's `SystemTime` says
 * what that clock reads now, so a remote engine with a skewed clock is still compared fairly.
 */
export async function copiedFileInfo(docker: Docker, dest: string): Promise<CopiedFile> {
  const { mtime } = await stat(dest);
  let at = new Date();
  try {
    const info = (await docker.info()) as { SystemTime?: string };
    const engine = info.SystemTime ? new Date(info.SystemTime) : null;
    if (engine && !Number.isNaN(engine.getTime())) at = engine;
  } catch (err) {
    // The host clock then: the same kernel clock for a local engine.
    return { mtime, at, why: `engine clock unknown (${errorMessage(err)}): host clock used` };
  }
  return { mtime, at };
}
