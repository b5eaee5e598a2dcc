#!/usr/bin/env node
/*
 * The installed `release-gate` command. scripts/bundle.mjs builds it into
 * dist/bundle/cli/release-gate.cjs, and the CLI itself into dist/bundle/cli/cli.cjs, which this
 * runs with its compiled code cached (bundle-loader.ts): resolving, reading and compiling ~200 ES
 * modules one by one was half of a `plan`. Both are CommonJS so that Node never starts its ES
 * module loader either (another tenth of a `plan`).
 *
 * The bundle sits three folders below the package root like the modules it is made of
 * (dist/src/<folder>/), so their `new URL('../../../presets/', import.meta.url)` still points at
 * the package's files.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runEntry, type CliModule } from './entry.js';

const BUNDLE = fileURLToPath(new URL('../../bundle/cli/cli.cjs', import.meta.url));

// No top-level await: this file is bundled as CommonJS. A rejection here is a bug and crashes loudly.
void runEntry(async () => {
  if (!existsSync(BUNDLE)) {
    process.stderr.write(`release-gate: ${BUNDLE} is missing; run \`npm run build\` (or use node dist/src/cli/main.js)\n`);
    return { main: () => Promise.resolve(3) };
  }
  const [{ loadBundle }, { cacheDirFromEnvironment }] = await Promise.all([import('./bundle-loader.js'), import('../common/cache-dir.js')]);
  const bundle = loadBundle<CliModule>(BUNDLE, cacheDirFromEnvironment(process.env));
  return {
    async main(argv, version) {
      try {
        return await bundle.exports.main(argv, version);
      } finally {
        bundle.save();
      }
    },
  };
});
