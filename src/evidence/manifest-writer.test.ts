import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sha256Text } from '../common/file-digest.js';
import { Redactor } from '../common/redactor.js';
import type { RunManifest } from '../model/manifest.js';
import type { RunResult } from '../model/run-result.js';
import { openEnvelope } from './attestation.js';
import { canonicalJson, writeManifest } from './manifest-writer.js';
import { TEST_RESULT_PREDICATE_TYPE, type TestResultPredicate } from './test-result-statement.js';

describe('the resolved config hash', () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['key order does not matter', { a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }, true],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }, false],
    ['an undefined field is no field', { a: 1, b: undefined }, { a: 1 }, true],
    ['a value matters', { a: 1 }, { a: 2 }, false],
  ];
  for (const [name, x, y, same] of cases) {
    it(name, () => assert.equal(canonicalJson(x) === canonicalJson(y), same));
  }

  it('does not depend on a generated secret once redacted (and so leaks nothing guessable)', () => {
    const hash = (password: string) => {
      const redactor = new Redactor();
      redactor.addSecret(password);
      return sha256Text(redactor.redact(canonicalJson({ env: { ADMIN_PASSWORD: password }, baseUrl: 'http://127.0.0.1:8088' })));
    };
    assert.equal(hash('Gen3rated-one-Abc123'), hash('Another-gen3rated-Xyz789'));
  });
});

describe('the test-result statement on disk', () => {
  const SECRET = 'Gen3rated-Secret-Value-42';
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const result = {
    tool: { name: 'release-gate', version: '0.0.0' },
    verdict: 'passed',
    complete: true,
    deviations: [],
    switches: { TOKEN_ECHO: SECRET },
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    durationMs: 60_000,
    criteria: [{ id: 'stability', title: 'Stability', passed: true, detail: '', logs: [] }],
  } as unknown as RunResult;
  const provenance = { engine: { name: 'docker' }, services: [{ name: 'web', image: `shop-${SECRET}`, imageId: `sha256:${'a'.repeat(64)}`, repoDigests: [] }] };

  for (const signed of [false, true]) {
    it(`is written ${signed ? 'signed (a DSSE envelope)' : 'bare'}, before the manifest that covers it, with no secret in it`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rg-test-result-'));
      dirs.push(dir);
      writeFileSync(join(dir, 'summary.json'), '{}');
      const redactor = new Redactor();
      redactor.addSecret(SECRET);
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const manifest: RunManifest = await writeManifest({ logDir: dir, result, config: { secret: SECRET }, configFile: join(dir, 'none.yml'), root: dir, driverName: 'compose', provenance, redactor, signKey: signed ? privateKey : undefined });
      const text = readFileSync(join(dir, 'test-result.intoto.json'), 'utf8');
      assert.ok(manifest.artifacts.some((a) => a.name === 'test-result.intoto.json' && a.sha256 === sha256Text(text)), 'the manifest covers the statement');
      const parsed = JSON.parse(text) as unknown;
      const opened = signed ? openEnvelope<TestResultPredicate>(parsed, publicKey, TEST_RESULT_PREDICATE_TYPE) : { statement: parsed as { predicate: TestResultPredicate; subject: unknown[] }, signed: null };
      assert.equal(opened.signed, signed ? true : null);
      const payload = JSON.stringify(opened.statement);
      assert.ok(!payload.includes(SECRET) && !text.includes(SECRET), 'a secret in the statement');
      assert.equal(opened.statement?.predicate.result, 'PASSED');
      assert.match(payload, /"switches":\{"TOKEN_ECHO":"\[REDACTED\]"\}/);
    });
  }
});
