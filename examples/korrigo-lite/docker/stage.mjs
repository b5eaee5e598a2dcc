#!/usr/bin/env node
// Prepares docker/.stage/app, the only application input of the app image:
//   dist/          the sample compiled on the host (tsc -b)
//   package.json   runtime dependencies pinned to the versions installed on the host
//   node_modules/  `npm install --omit=dev` of those dependencies
//
// Why on the host and not `npm ci` in the Dockerfile: on the project's machines a
// container can open TCP connections to registry.npmjs.org, but HTTPS there goes
// through an egress proxy whose CA only the host trusts, so npm inside `docker build`
// fails certificate checks. Debian's archive (plain HTTP, signed packages) works from
// containers, hence nodejs etc. come from apt. The runtime deps are pure JS/WASM, so
// host-installed modules run unchanged in the image.
//
// Usage (from anywhere): node examples/korrigo-lite/docker/stage.mjs
// Idempotent: npm install runs only when the dependency set changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sampleDir = dirname(dirname(fileURLToPath(import.meta.url)));
const stageDir = join(sampleDir, 'docker', '.stage', 'app');
const log = (msg) => console.log(`[stage] ${msg}`);
const fail = (msg) => {
  console.error(`[stage] ERROR: ${msg}`);
  process.exit(1);
};
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal} (cwd ${cwd})`);
}

const t0 = Date.now();
const require = createRequire(join(sampleDir, 'package.json'));

// 1. Compile the sample (workspace TypeScript, resolved like the sample's own build).
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch (err) {
  fail(`typescript not found from ${sampleDir}; run \`npm ci\` at the repository root first (${err.message})`);
}
log(`tsc -b ${sampleDir}`);
run(process.execPath, [tsc, '-b', sampleDir], sampleDir);
if (!existsSync(join(sampleDir, 'dist', 'cli.js'))) fail(`tsc produced no ${join(sampleDir, 'dist', 'cli.js')}`);

// 2. package.json with the runtime deps pinned to what the host workspace resolved.
const pkg = JSON.parse(readFileSync(join(sampleDir, 'package.json'), 'utf8'));
const deps = {};
for (const name of Object.keys(pkg.dependencies ?? {}).sort()) {
  let version = pkg.dependencies[name];
  // Read node_modules/<name>/package.json directly: some packages' "exports" hide it.
  const manifest = (require.resolve.paths(name) ?? []).map((dir) => join(dir, name, 'package.json')).find((f) => existsSync(f));
  if (manifest) version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  else log(`${name}: not installed on the host, using range ${version}`);
  deps[name] = version;
}
const stagePkg = { name: pkg.name, version: pkg.version, private: true, type: pkg.type, dependencies: deps };
const depsKey = createHash('sha256').update(JSON.stringify(deps)).digest('hex');
mkdirSync(stageDir, { recursive: true });
writeFileSync(join(stageDir, 'package.json'), JSON.stringify(stagePkg, null, 2) + '\n');

// 3. node_modules, only when the dependency set changed.
const stamp = join(stageDir, 'node_modules', '.rg-stage-deps');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === depsKey) {
  log('node_modules up to date (skip npm install)');
} else {
  rmSync(join(stageDir, 'node_modules'), { recursive: true, force: true });
  log(`npm install --omit=dev ${Object.entries(deps).map(([n, v]) => `${n}@${v}`).join(' ')}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // --install-links=false/--workspaces=false: install here, not into the parent workspace.
  run(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--workspaces=false', '--loglevel=error'], stageDir);
  writeFileSync(stamp, depsKey);
}

// 4. Fresh copy of dist (stale files from renamed sources must not linger).
rmSync(join(stageDir, 'dist'), { recursive: true, force: true });
cpSync(join(sampleDir, 'dist'), join(stageDir, 'dist'), {
  recursive: true,
  filter: (src) => !src.endsWith('.tsbuildinfo') && !/\.test\.js(\.map)?$/.test(src),
});
log(`staged ${stageDir} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
