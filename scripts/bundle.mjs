#!/usr/bin/env node
/*
 * Builds the installed command from the compiled modules (run after `tsc -b`):
 * - dist/bundle/cli/cli.cjs: the CLI (dist/src/cli/cli.js and all it imports, zod and commander
 *   included) in one CommonJS file, which the launcher runs with its compiled code cached;
 * - dist/bundle/cli/release-gate.cjs: that launcher (src/cli/launch.ts), the package's `bin`.
 * One file and one cached compilation instead of ~200 ES modules: `plan` went from 3.2× to
 * under 2× `node -e ''` (bench/run.mjs). esbuild: it bundles this tree in a fraction of a
 * second with no configuration beyond these lines.
 *
 * Left out of the bundle, loaded from node_modules when used: dockerode (its native addons,
 * ssh2 and cpu-features, cannot be bundled), playwright-core (large, only for the HTML report),
 * and what lazyRequire loads (a createRequire the bundler does not follow, on purpose).
 */
import { build } from 'esbuild';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STAMP, currentStamp } from './build-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * zod's `z` namespace re-exports its 45 locales (`z.locales`): 260 KB the bundle would load at
 * every start (13 ms of a `plan`, measured). Nothing here switches zod's language, and zod
 * installs English from its own schemas module, so that namespace is left empty.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-without-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-without-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Whitespace and syntax only: identifiers keep their names, so a --verbose stack trace reads
  // like the source, at no cost (keepNames instead adds a call per function at load: 8 ms of a
  // `plan`, measured).
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['dockerode', 'ssh2', 'cpu-features', 'playwright-core'],
  // Every module's import.meta.url becomes the bundle's own URL: same depth below the root as
  // dist/src/<folder>/ (see src/cli/launch.ts).
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "'use strict';\nconst __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['dist/src/cli/cli.js'], outfile: 'dist/bundle/cli/cli.cjs', plugins: [zodWithoutLocales] });
await build({ ...common, entryPoints: ['dist/src/cli/launch.js'], outfile: 'dist/bundle/cli/release-gate.cjs' });
chmodSync(`${root}/dist/bundle/cli/release-gate.cjs`, 0o755);

// esbuild turns import() into require() in CommonJS output; one left (an ES-only package marked
// external, say) would fail at run time, since the launcher's vm.Script has no ES module loader.
const cli = readFileSync(`${root}/dist/bundle/cli/cli.cjs`, 'latin1');
const dynamicImport = /(?<![\w$.])import\(/.exec(cli);
if (dynamicImport) {
  console.error(`bundle: dist/bundle/cli/cli.cjs calls import() near "${cli.slice(Math.max(0, dynamicImport.index - 80), dynamicImport.index + 40)}": bundle that package, or load it with lazyRequire`);
  process.exit(1);
}

// esbuild escapes every non-ASCII character but those of regex literals. The launcher reads an
// ASCII bundle as one-byte text (src/cli/bundle-loader.ts), faster than UTF-8 for V8: say where.
const nonAscii = /[^\x00-\x7f]+/.exec(cli);
if (nonAscii) {
  const from = cli.lastIndexOf('\n', nonAscii.index) + 1;
  console.warn(`bundle: non-ASCII text in dist/bundle/cli/cli.cjs near "${Buffer.from(cli.slice(Math.max(from, nonAscii.index - 60), nonAscii.index + 20), 'latin1').toString('utf8')}": write it as \\u escapes in the source (the bundle still works, read as UTF-8)`);
}

// What these files were built from: the GitHub Action skips its build when this still matches.
writeFileSync(`${root}/${STAMP}`, `${JSON.stringify(currentStamp(root), null, 2)}\n`);
