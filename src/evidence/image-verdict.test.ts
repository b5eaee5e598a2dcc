import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TEST_RESULT_FILE } from '../model/manifest.js';
import { signStatement } from './attestation.js';
import { digestHex, remoteDockerHost } from './image-digests.js';
import { checkImageVerdict } from './image-verdict.js';
import { TEST_RESULT_PREDICATE_TYPE, type TestResultStatement } from './test-result-statement.js';

const IMAGE = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const statement = (result: string, subject: TestResultStatement['subject']): TestResultStatement => ({
  _type: 'https://in-toto.io/Statement/v1',
  subject,
  predicateType: TEST_RESULT_PREDICATE_TYPE,
  predicate: { result: result as 'PASSED', configuration: [], passedTests: [], warnedTests: [], failedTests: [] },
});
const imageSubject = { name: 'shop-web', digest: { sha256: IMAGE }, annotations: { kind: 'image-id', service: 'web' } };

describe('verify --image: the signed test-result statement vouches for the image', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const otherKey = generateKeyPairSync('ed25519').privateKey;
  const dirWith = (content: unknown): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-image-verdict-'));
    dirs.push(dir);
    if (content !== undefined) writeFileSync(join(dir, TEST_RESULT_FILE), JSON.stringify(content));
    return dir;
  };

  const cases: [string, unknown, string[], RegExp | null][] = [
    ['a PASSED statement signed by the key, the image a subject: ok', signStatement(statement('PASSED', [imageSubject]), privateKey), [IMAGE], null],
    ['the image matched through one of its digests (a registry digest): ok', signStatement(statement('PASSED', [imageSubject]), privateKey), [OTHER, IMAGE], null],
    ['an image that is not a subject', signStatement(statement('PASSED', [imageSubject]), privateKey), [OTHER], /is not an image this run tested \(tested: shop-web sha256:aaaaaaaaaaaa…\)/],
    ['a build output with the same hex is not an image', signStatement(statement('PASSED', [{ ...imageSubject, annotations: { kind: 'build-output' } }]), privateKey), [IMAGE], /the run tested no image/],
    ['a FAILED run', signStatement(statement('FAILED', [imageSubject]), privateKey), [IMAGE], /result is FAILED, not PASSED/],
    ['a WARNED (partial) run', signStatement(statement('WARNED', [imageSubject]), privateKey), [IMAGE], /result is WARNED, not PASSED \(a partial run/],
    ['a statement signed by another key', signStatement(statement('PASSED', [imageSubject]), otherKey), [IMAGE], /no signature verifies with the given key/],
    ['an unsigned statement', statement('PASSED', [imageSubject]), [IMAGE], /is unsigned \(the run had no --sign-key\)/],
    ['no statement at all', undefined, [IMAGE], /no test-result.intoto.json in/],
    ['a signed manifest statement in its place', signStatement({ ...statement('PASSED', [imageSubject]), predicateType: 'urn:release-gate:manifest:v1' }, privateKey), [IMAGE], /is not a https:\/\/in-toto.io\/attestation\/test-result\/v0.1 in-toto statement/],
  ];
  for (const [name, content, hexes, problem] of cases) {
    it(name, () => {
      const verdict = checkImageVerdict(dirWith(content), hexes, 'shop-web:1.0', publicKey);
      if (problem === null) assert.deepEqual(verdict, { ok: true, problems: [], result: 'PASSED' });
      else {
        assert.equal(verdict.ok, false);
        assert.match(verdict.problems.join('\n'), problem);
      }
    });
  }
});

describe('image digests', () => {
  const hosts: [string | undefined, string | null][] = [
    [undefined, null],
    ['unix:///var/run/docker.sock', null],
    ['tcp://127.0.0.1:2375', null],
    ['tcp://localhost:2376', null],
    ['tcp://[::1]:2375', null],
    ['tcp://10.0.0.5:2376', 'tcp://10.0.0.5:2376'],
    ['ssh://build@ci.example', 'ssh://build@ci.example'],
  ];
  for (const [host, expected] of hosts) {
    it(`DOCKER_HOST ${host ?? '(unset)'} is ${expected ? 'remote: refused' : 'this machine'}`, () => assert.equal(remoteDockerHost(host), expected));
  }
  it('reads a bare digest, and nothing else, as a digest', () => {
    assert.equal(digestHex(`sha256:${IMAGE}`), IMAGE);
    for (const text of ['shop-web:1.0', `sha256:${IMAGE.slice(1)}`, IMAGE, `sha512:${IMAGE}`]) assert.equal(digestHex(text), null, text);
  });
});
