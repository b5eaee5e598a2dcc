import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RunManifest } from '../model/manifest.js';
import { DSSE_PAYLOAD_TYPE, openEnvelope, pae, signStatement, statementFor } from './attestation.js';

const manifest = { schema: 'release-gate/manifest/v1', artifacts: [{ name: 'b.log', size: 1, sha256: 'bb' }, { name: 'a.log', size: 2, sha256: 'aa' }] } as unknown as RunManifest;

describe('DSSE attestation', () => {
  it('encodes the DSSE v1 pre-authentication string as the spec example', () => {
    assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('makes an in-toto statement whose subjects are the artifacts and the manifest, sorted', () => {
    const statement = statementFor(manifest, { name: 'manifest.json', size: 3, sha256: 'mm' });
    assert.deepEqual(statement.subject, [
      { name: 'a.log', digest: { sha256: 'aa' } },
      { name: 'b.log', digest: { sha256: 'bb' } },
      { name: 'manifest.json', digest: { sha256: 'mm' } },
    ]);
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  });

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519').publicKey;
  const envelope = signStatement(statementFor(manifest, { name: 'manifest.json', size: 3, sha256: 'mm' }), privateKey);
  const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as { subject: unknown[] };
  const cases: [string, unknown, typeof publicKey | undefined, boolean | null][] = [
    ['its own key verifies', envelope, publicKey, true],
    ['another key does not', envelope, other, false],
    ['no key: not checked', envelope, undefined, null],
    ['a changed payload does not verify', { ...envelope, payload: Buffer.from(JSON.stringify({ ...payload, subject: [] })).toString('base64') }, publicKey, false],
    ['a changed payload type does not verify', { ...envelope, payloadType: 'text/plain' }, publicKey, false],
    ['a garbage signature does not verify', { ...envelope, signatures: [{ keyid: 'x', sig: 'AAAA' }] }, publicKey, false],
  ];
  for (const [name, env, key, expected] of cases) {
    it(name, () => assert.equal(openEnvelope(env, key).signed, expected));
  }

  it('says what is wrong with something that is not an envelope', () => {
    assert.match(openEnvelope({ hello: 1 }, publicKey).problem ?? '', /not a DSSE envelope/);
    assert.equal(envelope.payloadType, DSSE_PAYLOAD_TYPE);
  });
});
