import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunManifest } from '../src/model/manifest.js';
import type { RunResult } from '../src/model/run-result.js';
import { freePort, ROOT, runCli, sampleDataDir, tempDir, type CliRun, canConnect } from './helpers.js';

/*
 * Evidence you can check: two real runs of the bundled sample (local driver, real processes,
 * real HTTP), one signed. verify must pass on the untouched run and fail on each kind of
 * tampering; compare must show what changed between them; the E2E latency must be there.
 */

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.yml');

let work = '';
let keyFile = '';
let pubFile = '';
let otherPubFile = '';
let runA = '';
let runB = '';
let codeA: number | null = null;
let codeB: number | null = null;


/** An initialised embedded database, copied into each run: PGlite's initdb costs ~15 s. */
async function pgTemplate(dir: string): Promise<void> {
  const port = await freePort();
  const db = spawn(process.execPath, [join(SAMPLE, 'dist/cli.js'), 'db', '--port', String(port), '--data-dir', join(dir, 'pg')], { cwd: SAMPLE, detached: true, stdio: 'ignore' });
  const deadline = Date.now() + 120_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error('template database did not start in 120s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((r) => db.once('exit', r));
  process.kill(-(db.pid as number), 'SIGTERM');
  await exited;
}

async function sampleRun(name: string, template: string, extra: string[]): Promise<{ dir: string; run: CliRun }> {
  // Inside the sample: the gate removes data dirs only inside the project root.
  const dataDir = sampleDataDir(`evidence-${name}-`);
  dataDirs.push(dataDir);
  cpSync(join(template, 'pg'), join(dataDir, 'pg'), { recursive: true });
  const dir = join(work, name);
  const run = await runCli(['run', '--config', CONFIG, '--stability', '2s', '--skip', 'clean,A', '--log-dir', dir, ...extra], {
    cwd: ROOT,
    env: {
      KORRIGO_LITE_PORT: String(await freePort()),
      KORRIGO_LITE_DB_PORT: String(await freePort()),
      KORRIGO_LITE_DATA_DIR: dataDir,
      KORRIGO_LITE_BUILD_DIR: 'dist',
      KORRIGO_LITE_WAIT_TIMEOUT: '10s',
      KORRIGO_LITE_FAULT: '',
    },
  });
  return { dir, run };
}

before(async () => {
  work = tempDir('rg-evidence-');
  const pair = generateKeyPairSync('ed25519');
  keyFile = join(work, 'gate.key');
  pubFile = join(work, 'gate.pub');
  otherPubFile = join(work, 'other.pub');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(otherPubFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
  const template = join(work, 'template');
  await pgTemplate(template);
  const a = await sampleRun('run-a', template, ['--sign-key', keyFile]);
  const b = await sampleRun('run-b', template, []);
  [runA, codeA, runB, codeB] = [a.dir, a.run.code, b.dir, b.run.code];
  assert.equal(codeA, 0, a.run.stdout + a.run.stderr);
  assert.equal(codeB, 0, b.run.stdout + b.run.stderr);
});

const dataDirs: string[] = [];
after(() => {
  rmSync(work, { recursive: true, force: true });
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

/** A copy of run A to tamper with. */
function copyOfA(name: string): string {
  const dir = join(work, `tampered-${name}`);
  cpSync(runA, dir, { recursive: true });
  return dir;
}

const verify = (dir: string, ...args: string[]) => runCli(['verify', dir, ...args]);

describe('the run manifest', () => {
  it('covers every artifact with its size and sha256, and says what ran from what', () => {
    const manifest = JSON.parse(read(runA, 'manifest.json')) as RunManifest;
    const summary = JSON.parse(read(runA, 'summary.json')) as RunResult;
    const names = manifest.artifacts.map((a) => a.name);
    for (const name of ['summary.json', '17_validation_summary.log', '12_e2e_3runs.log', 'report.html', 'junit.xml']) assert.ok(names.includes(name), `${name} not in the manifest`);
    assert.ok(!names.includes('manifest.json') && !names.includes('release-gate-attestation.json'));
    assert.ok(summary.artifacts.includes('manifest.json') && summary.artifacts.includes('release-gate-attestation.json'), 'the summary lists the files written after it');
    for (const a of manifest.artifacts) assert.match(a.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual([manifest.run.verdict, manifest.run.startedAt, manifest.run.endedAt], [summary.verdict, summary.startedAt, summary.endedAt]);
    assert.match(manifest.config.resolvedSha256, /^[0-9a-f]{64}$/);
    assert.match(manifest.config.fileSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.match(manifest.source.git?.commit ?? '', /^[0-9a-f]{40}$/);
    assert.equal(typeof manifest.source.git?.dirty, 'boolean');
    assert.equal(manifest.runtime.node, process.version);
    assert.equal(manifest.stack.driver, 'local');
    const services = 'services' in manifest.stack ? manifest.stack.services : [];
    const db = services.find((s) => s.name === 'db');
    assert.equal(db?.buildOutputs?.[0]?.path, 'dist');
    assert.match(db?.buildOutputs?.[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.match(services.find((s) => s.name === 'worker')?.note ?? '', /not applicable/);
    // Both runs read the same config file; their ports differ, so the resolved configs do too.
    const other = JSON.parse(read(runB, 'manifest.json')) as RunManifest;
    assert.equal(other.config.fileSha256, manifest.config.fileSha256);
    assert.notEqual(other.config.resolvedSha256, manifest.config.resolvedSha256);
  });

  it('records E2E latency per step in summary.json, the E2E log footer and the reports', () => {
    const summary = JSON.parse(read(runA, 'summary.json')) as RunResult;
    const e2e = summary.steps.find((s) => s.log === '12_e2e_3runs.log');
    const latency = e2e?.latency;
    assert.ok(latency, 'no latency in summary.json');
    assert.deepEqual(latency.failuresPerRun, [0, 0, 0]);
    assert.equal(latency.runDurationsMs.length, 3);
    const lock = latency.steps.find((s) => s.step === 'lock');
    assert.equal(lock?.samples, 3);
    assert.ok((lock?.p50Ms ?? -1) >= 0 && (lock?.p50Ms ?? 0) <= (lock?.p95Ms ?? 0) && (lock?.p95Ms ?? 0) <= (lock?.maxMs ?? 0), JSON.stringify(lock));
    const log = read(runA, '12_e2e_3runs.log');
    assert.match(log, /latency per step/);
    assert.match(log, /^\S+ {3}lock +each +3 +\d/m);
    assert.match(log, /failures per run: 0 0 0/);
    assert.equal(log.split('\n').filter((l) => /E2E.*RUN.*PASSED/.test(l)).length, 1, 'the seed grep still finds the closing line only');
    assert.match(read(runA, 'report.html'), /<h2>E2E latency<\/h2>[\s\S]*<td>lock<\/td><td>3<\/td>/);
  });
});

describe('the test-result statement (in-toto test-result v0.1)', () => {
  type Statement = { subject: { name?: string; digest: Record<string, string>; annotations?: Record<string, unknown> }[]; predicateType: string; predicate: { result: string; passedTests: string[]; warnedTests: string[]; failedTests: string[] } };

  it('is written by every run, covered by the manifest: a DSSE envelope when signed, the bare statement otherwise', () => {
    const manifest = JSON.parse(read(runA, 'manifest.json')) as RunManifest;
    const text = read(runA, 'test-result.intoto.json');
    assert.equal(manifest.artifacts.find((a) => a.name === 'test-result.intoto.json')?.sha256, createHash('sha256').update(text).digest('hex'));
    assert.ok((JSON.parse(read(runA, 'summary.json')) as RunResult).artifacts.includes('test-result.intoto.json'));
    const envelope = JSON.parse(text) as { payloadType: string; payload: string; signatures: unknown[] };
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
    assert.equal(envelope.signatures.length, 1);
    const signed = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Statement;
    const bare = JSON.parse(read(runB, 'test-result.intoto.json')) as Statement;
    for (const s of [signed, bare]) {
      assert.equal(s.predicateType, 'https://in-toto.io/attestation/test-result/v0.1');
      // --skip clean,A: a partial run is never PASSED, and its unselected criteria are not passes.
      assert.equal(s.predicate.result, 'WARNED');
      assert.ok(s.predicate.passedTests.length > 0 && s.predicate.failedTests.length === 0, JSON.stringify(s.predicate));
      for (const w of s.predicate.warnedTests) assert.match(w, / \((not selected|n\/a|not judged)\)$/);
      // The local driver's subjects are its build outputs (db's dist), as the manifest has them.
      const services = 'services' in manifest.stack ? manifest.stack.services : [];
      const dist = services.find((x) => x.name === 'db')?.buildOutputs?.[0]?.sha256;
      assert.ok(s.subject.some((x) => x.name === 'db/dist' && x.digest['sha256'] === dist && x.annotations?.['kind'] === 'build-output'), JSON.stringify(s.subject));
    }
  });

  it('verify --image: a digest that is not an image of the run is refused (exit 1), as is a build output', async () => {
    const other = await verify(runA, '--key', pubFile, '--image', `sha256:${'e'.repeat(64)}`);
    assert.equal(other.code, 1, other.stdout + other.stderr);
    assert.match(other.stdout, /✅ INTACT/);
    assert.match(other.stdout, /✗ sha256:e{64} is not an image this run tested \(the run tested no image: a local or external target\)/);
    assert.match(other.stdout, /✗ the run's result is WARNED, not PASSED/);
    assert.match(other.stdout, /❌ sha256:e{64}: this run does not vouch for it/);
    const manifest = JSON.parse(read(runA, 'manifest.json')) as RunManifest;
    const services = 'services' in manifest.stack ? manifest.stack.services : [];
    const dist = services.find((x) => x.name === 'db')?.buildOutputs?.[0]?.sha256 ?? '';
    const output = await verify(runA, '--key', pubFile, '--image', `sha256:${dist}`);
    assert.equal(output.code, 1, output.stdout);
    assert.match(output.stdout, /is not an image this run tested/);
  });

  it('verify --image without --key is bad usage (exit 2); an unsigned run vouches for nothing (exit 1)', async () => {
    const noKey = await verify(runA, '--image', `sha256:${'e'.repeat(64)}`);
    assert.equal(noKey.code, 2, noKey.stdout + noKey.stderr);
    assert.match(noKey.stderr, /verify --image sha256:e+: needs --key PUB/);
    const unsigned = await verify(runB, '--key', pubFile, '--image', `sha256:${'e'.repeat(64)}`);
    assert.equal(unsigned.code, 1, unsigned.stdout);
    assert.match(unsigned.stdout, /test-result.intoto.json is unsigned \(the run had no --sign-key\)/);
  });
});

describe('release-gate verify', () => {
  it('passes on an untouched signed run with its key, and on an unsigned one without a key', async () => {
    const signed = await verify(runA, '--key', pubFile);
    assert.equal(signed.code, 0, signed.stdout + signed.stderr);
    assert.match(signed.stdout, /signature: valid/);
    assert.match(signed.stdout, /✅ INTACT: \d+\/\d+ files match manifest.json/);
    const unsigned = await verify(runB);
    assert.equal(unsigned.code, 0, unsigned.stdout + unsigned.stderr);
    assert.match(unsigned.stdout, /signature: none \(unsigned run\)/);
  });

  it('fails naming a changed file', async () => {
    const dir = copyOfA('changed');
    appendFileSync(join(dir, '12_e2e_3runs.log'), 'one more line\n');
    const r = await verify(dir);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ changed: 12_e2e_3runs\.log/);
    assert.match(r.stdout, /❌ NOT INTACT: 1 changed, 0 missing, 0 extra/);
  });

  it('fails naming a missing file', async () => {
    const dir = copyOfA('missing');
    rmSync(join(dir, '16_ps_final.log'));
    const r = await verify(dir);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ missing: 16_ps_final\.log/);
    assert.match(r.stdout, /0 changed, 1 missing, 0 extra/);
  });

  it('fails naming an extra file', async () => {
    const dir = copyOfA('extra');
    writeFileSync(join(dir, 'notes.txt'), 'added later\n');
    const r = await verify(dir);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ extra: notes\.txt/);
    assert.match(r.stdout, /0 changed, 0 missing, 1 extra/);
  });

  it('fails on a bad signature: another key, a forged signature, a manifest rewritten to match a change', async () => {
    const other = await verify(runA, '--key', otherPubFile);
    assert.equal(other.code, 1, other.stdout);
    assert.match(other.stdout, /signature: INVALID/);

    const forged = copyOfA('forged-sig');
    const envelope = JSON.parse(read(forged, 'release-gate-attestation.json')) as { signatures: { sig: string }[] };
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    sig[0] = (sig[0] ?? 0) ^ 0xff;
    (envelope.signatures[0] as { sig: string }).sig = sig.toString('base64');
    writeFileSync(join(forged, 'release-gate-attestation.json'), JSON.stringify(envelope));
    const f = await verify(forged, '--key', pubFile);
    assert.equal(f.code, 1, f.stdout);
    assert.match(f.stdout, /signature: INVALID/);

    // Change a log and rewrite the manifest's hash to match: only the signature can tell.
    const rewritten = copyOfA('rewritten');
    appendFileSync(join(rewritten, '13_pytest_full.log'), '0 failed\n');
    const manifest = JSON.parse(read(rewritten, 'manifest.json')) as RunManifest;
    const { createHash } = await import('node:crypto');
    const bytes = readFileSync(join(rewritten, '13_pytest_full.log'));
    const entry = manifest.artifacts.find((a) => a.name === '13_pytest_full.log') as RunManifest['artifacts'][number];
    entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    entry.size = bytes.length;
    writeFileSync(join(rewritten, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const w = await verify(rewritten, '--key', pubFile);
    assert.equal(w.code, 1, w.stdout);
    assert.match(w.stdout, /signature: valid/);
    assert.match(w.stdout, /manifest.json is not the one the attestation covers/);
    assert.match(w.stdout, /13_pytest_full\.log is not a subject with the manifest's sha256/);

    const absent = await verify(runB, '--key', pubFile);
    assert.equal(absent.code, 1, absent.stdout);
    assert.match(absent.stdout, /signature: none \(release-gate-attestation.json missing\) but --key was given/);
  });

  it('refuses a folder that is not a run and a key that is not ed25519 with exit 2', async () => {
    const none = await verify(join(work, 'nope'));
    assert.equal(none.code, 2);
    assert.match(none.stderr, /verify: .*nope is not a folder/);
    const rsa = join(work, 'rsa.pub');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const bad = await verify(runA, '--key', rsa);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--key: .* is a rsa key; only ed25519 is accepted/);
  });
});

describe('release-gate compare', () => {
  it('prints criteria, step durations, counts and E2E latency between two real runs', async () => {
    const r = await runCli(['compare', runA, runB]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^A: .*run-a \(passed, partial/m);
    assert.match(r.stdout, /criteria \(A → B\):\n {2}\d+ unchanged/);
    assert.match(r.stdout, /^ {2}12_e2e_3runs\.log +\S+ → +\S+ +[+-]?[\d.]+%/m);
    assert.match(r.stdout, /E2E latency \(A → B\):\n(?: {2}.*\n)*? {2}lock +p50 \S+ → \S+ +p95 \S+ → \S+/);
    assert.match(r.stdout, /images \/ build outputs \(A → B\):\n {2}unchanged/);
    assert.match(r.stdout, /✅ NO REGRESSION \(durations not judged: no --max-slowdown\)/);
  });

  it('flags a slower step, a failed criterion and a changed build output as regressions, in Markdown too', async () => {
    const dir = join(work, 'run-b-worse');
    cpSync(runB, dir, { recursive: true });
    const summary = JSON.parse(read(dir, 'summary.json')) as RunResult;
    const step = summary.steps.find((s) => s.log === '13_pytest_full.log') as RunResult['steps'][number];
    const baseline = (JSON.parse(read(runA, 'summary.json')) as RunResult).steps.find((s) => s.log === '13_pytest_full.log')?.durationMs ?? 0;
    step.durationMs = baseline * 3 + 1000;
    const tests = summary.criteria.find((c) => c.id === 'tests') as RunResult['criteria'][number];
    tests.passed = false;
    tests.detail = '40 passed, 1 failed';
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const manifest = JSON.parse(read(dir, 'manifest.json')) as RunManifest;
    const db = ('services' in manifest.stack ? manifest.stack.services : []).find((s) => s.name === 'db');
    (db?.buildOutputs?.[0] as { sha256: string }).sha256 = 'f'.repeat(64);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));

    const r = await runCli(['compare', runA, dir, '--max-slowdown', '20%']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✅ → ❌ Tests {2}REGRESSION/);
    assert.match(r.stdout, /^ {2}13_pytest_full\.log .*\+[\d.]+% {2}REGRESSION$/m);
    assert.match(r.stdout, /^ {2}db: dist=[0-9a-f]+… → dist=ffff/m);
    // Other steps of two real runs may differ by more than 20% on a busy machine: not counted here.
    assert.match(r.stdout, /❌ \d+ REGRESSION\(S\) \(--max-slowdown 20%\):\n {2}- criterion Tests: passed → failed \(40 passed, 1 failed\)\n/);
    assert.match(r.stdout, /^ {2}- step 13_pytest_full\.log: \S+ → \S+ \(\+[\d.]+% > 20%\)$/m);

    const md = await runCli(['compare', runA, dir, '--max-slowdown', '20%', '--markdown']);
    assert.equal(md.code, 1);
    assert.match(md.stdout, /^## release-gate compare: ❌ \d+ regression\(s\)$/m);
    assert.match(md.stdout, /^\| Tests \| ✅ \| ❌ \|$/m);
    assert.match(md.stdout, /^\| 13_pytest_full\.log \| \S+ \| \S+ \| \+[\d.]+% ⚠️ \|$/m);
    assert.match(md.stdout, /^\| lock \| /m);

    const bad = await runCli(['compare', runA, dir, '--max-slowdown', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-slowdown: "fast" is not a percentage/);
  });
});
