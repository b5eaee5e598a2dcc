#!/usr/bin/env node
// `npm start`: the gate on the embedded sample (examples/korrigo-lite/release-gate.yml).
// The sample's defaults are 18088 (backend) and 55432 (db). On a shared machine a default
// that is free at the preflight can be taken by another gate during the build, before the
// services bind it (seen: a backend answering EADDRINUSE while the health probe reached the
// other gate's backend). So this always picks free ports, with their own data and build
// folders so two gates side by side never share state, and prints them. A port set in the
// environment is used as is (and then the default folders too). Extra arguments go to
// `release-gate run`.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = join(root, 'examples/korrigo-lite');
const PORTS = [
  { name: 'KORRIGO_LITE_PORT', fallback: 18088, what: 'backend' },
  { name: 'KORRIGO_LITE_DB_PORT', fallback: 55432, what: 'db' },
];

function free(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Below Linux's ephemeral range, like the gate's own tests (src/common/ports.ts). */
async function pickFree() {
  for (let i = 0; i < 100; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await free(port)) return port;
  }
  throw new Error('no free port found in 20000-32000');
}

const env = { ...process.env };
const picked = [];
for (const p of PORTS) {
  if (env[p.name]) continue;
  env[p.name] = String(await pickFree());
  picked.push(`${p.what} on ${p.name}=${env[p.name]} (default ${p.fallback})`);
}
let ownBuildDir = null;
if (picked.length > 0) {
  const tag = env.KORRIGO_LITE_PORT;
  env.KORRIGO_LITE_DATA_DIR ??= `.data-${tag}`;
  if (!env.KORRIGO_LITE_BUILD_DIR) ownBuildDir = env.KORRIGO_LITE_BUILD_DIR = `build-${tag}`;
  console.log(`npm start: free ports picked: ${picked.join(', ')}; set them to choose`);
  console.log(`npm start: data in examples/korrigo-lite/${env.KORRIGO_LITE_DATA_DIR}, build in examples/korrigo-lite/${env.KORRIGO_LITE_BUILD_DIR}`);
}
const child = spawn(process.execPath, [join(root, 'dist/bundle/cli/release-gate.cjs'), 'run', '--config', join(sample, 'release-gate.yml'), ...process.argv.slice(2)], {
  env,
  stdio: 'inherit',
  detached: true,
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => {
  if (ownBuildDir) rmSync(join(sample, ownBuildDir), { recursive: true, force: true });
  process.exit(code ?? (signal ? 128 + 15 : 1));
});
