import { resolve } from 'node:path';
import { digestTree } from '../../common/file-digest.js';
import type { StackProvenance } from '../../model/stack.js';
import type { LocalServiceConfig } from './local-service-config.js';

/**
 * Local services have no image: what identifies what ran is the build's output, hashed (file
 * names and bytes). A service without a build runs code the gate did not produce: said so.
 */
export async function localProvenance(services: Record<string, LocalServiceConfig>, baseDir: string): Promise<StackProvenance> {
  const out: StackProvenance = { engine: { name: 'local processes', version: `node ${process.version}` }, services: [] };
  for (const [name, svc] of Object.entries(services)) {
    if (!svc.build || svc.build.outputs.length === 0) {
      out.services.push({ name, note: svc.build ? 'build declares no outputs: nothing to hash' : 'no build declared: not applicable' });
      continue;
    }
    const buildOutputs = [];
    for (const path of svc.build.outputs) {
      const digest = await digestTree(resolve(baseDir, svc.cwd ?? '.', path));
      buildOutputs.push({ path, sha256: digest?.sha256 ?? null, files: digest?.files ?? 0 });
    }
    out.services.push({ name, buildOutputs });
  }
  return out;
}
