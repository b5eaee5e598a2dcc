import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { RgEnvironmentError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { portTakenHint } from '../../common/port-variables.js';
import { bindProbe } from '../../common/ports.js';
import type { PublishedPort } from './compose-model.js';

/**
 * Every TCP port the project publishes is free, or held by the project itself (`ours`: the
 * gate's `down` frees it); RG_PORT_TAKEN naming the variable that sets it otherwise.
 */
export async function checkPortsFree(
  ports: readonly PublishedPort[],
  ours: ReadonlySet<number>,
  hint: { portVariables: () => Record<string, string>; files: string[] },
  output: OutputSink,
): Promise<void> {
  for (const p of ports) {
    if (p.protocol !== 'tcp') continue;
    if (ours.has(p.published)) {
      output.line(`port ${p.published} (service "${p.service}"): held by this project, freed by down`);
      continue;
    }
    const host = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '127.0.0.1' : p.hostIp;
    const problem = await bindProbe(p.published, host);
    if (problem) {
      throw new RgEnvironmentError(
        'RG_PORT_TAKEN',
        `Port ${host}:${p.published} published by service "${p.service}" is not free (${problem}).`,
        portTakenHint(p.published, hint.portVariables(), hint.files),
      );
    }
    output.line(`port ${host}:${p.published} (service "${p.service}"): free`);
  }
}

/** At least `minMb` free where the engine stores its data (when on this machine), else in the project folder. */
export async function checkDiskFree(dockerRootDir: string | undefined, projectDir: string, minMb: number, output: OutputSink): Promise<void> {
  const where = dockerRootDir && existsSync(dockerRootDir) ? dockerRootDir : projectDir;
  let freeMb: number;
  try {
    const s = await statfs(where);
    freeMb = Math.floor((s.bavail * s.bsize) / (1024 * 1024));
  } catch (err) {
    output.line(`disk: cannot stat ${where} (${errorMessage(err)}); free space not checked`);
    return;
  }
  if (freeMb < minMb) {
    throw new RgEnvironmentError(
      'RG_DISK_SPACE',
      `Only ${freeMb} MB free on ${where}; the gate needs at least ${minMb} MB for images, containers and volumes.`,
      'Free disk space (e.g. remove unused images with `docker image prune`), or lower stack.minFreeDiskMb.',
    );
  }
  output.line(`disk: ${freeMb} MB free on ${where} (minimum ${minMb} MB)`);
}
