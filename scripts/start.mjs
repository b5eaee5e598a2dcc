#!/usr/bin/env node
// `npm start`: the gate on the embedded sample (examples/korrigo-lite/release-gate.yml).
// The sample listens on 18088 (backend) and 55432 (db) by default; when one of them is taken
// (another `npm start`, any program), this picks a free port instead, with its own data and
// build folders so two gates side by side never share state, and prints what it chose.
// A port set in the environment is always used as is. Extra arguments go to `release-gate run`.
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
  if (await free(p.fallback)) continue;
  env[p.name] = String(await pickFree());
  picked.push(`${p.what} ${p.fallback} is taken: using ${p.name}=${env[p.name]}`);
}
let ownBuildDir = null;
if (picked.length > 0) {
  const tag = env.KORRIGO_LITE_PORT ?? env.KORRIGO_LITE_DB_PORT;
  env.KORRIGO_LITE_DATA_DIR ??= `.data-${tag}`;
  if (!env.KORRIGO_LITE_BUILD_DIR) ownBuildDir = env.KORRIGO_LITE_BUILD_DIR = `build-${tag}`;
  for (const line of picked) console.log(`npm start: ${line}`);
  console.log(`npm start: data in examples/korrigo-lite/${env.KORRIGO_LITE_DATA_DIR}, build in examples/korrigo-lite/${env.KORRIGO_LITE_BUILD_DIR}`);
}
// In its own process group: a Ctrl-C reaches this wrapper only, which passes each signal on
// once (the gate counts signals: a second one skips log capture), and a signal sent to this
// wrapper alone (`kill`, `timeout`) still reaches the gate.
const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'run', '--config', join(sample, 'release-gate.yml'), ...process.argv.slice(2)], {
  env,
  stdio: 'inherit',
  detached: true,
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => {
  if (ownBuildDir) rmSync(join(sample, ownBuildDir), { recursive: true, force: true });
  process.exit(code ?? (signal ? 128 + 15 : 1));
});
