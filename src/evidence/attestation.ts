import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256Text } from '../common/file-digest.js';
import { RgUsageError, errorMessage } from '../common/errors.js';
import { KEY_MAX_BYTES, readRegularText } from '../common/safe-file.js';
import type { ArtifactDigest, RunManifest } from '../model/manifest.js';

/*
 * A signed manifest as a release attestation: an in-toto Statement v1 whose subjects are the
 * artifacts (and manifest.json), wrapped in a DSSE envelope signed with ed25519. Both formats
 * are what supply-chain tools store (Sigstore, in-toto verifiers); node:crypto does the
 * signing, so no dependency is needed.
 */

export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'urn:release-gate:manifest:v1';

export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the statement's JSON. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** in-toto's ResourceDescriptor, as far as release-gate writes one: `digest` is a DigestSet (`sha256`, `gitCommit`). */
export interface ResourceDescriptor {
  name?: string;
  digest: Record<string, string>;
  annotations?: Record<string, unknown>;
}

export interface InTotoStatement<P = RunManifest> {
  _type: string;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate: P;
}

/** DSSE's pre-authentication encoding: what is signed, so the type cannot be swapped. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** A stable key id: sha256 of the public key's SPKI DER. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return sha256Text(pub.export({ type: 'spki', format: 'der' }));
}

function readKeyFile(file: string, flag: string): string {
  try {
    return readRegularText(file, { maxBytes: KEY_MAX_BYTES, what: 'key file' });
  } catch (err) {
    throw new RgUsageError(`${flag}: cannot read ${file}: ${errorMessage(err)}`, 'Give a PEM file, e.g. made with `openssl genpkey -algorithm ed25519 -out gate.key`.');
  }
}

/** The ed25519 private key of `--sign-key` (PEM, PKCS#8); bad usage (exit 2) otherwise. */
export function readSigningKey(file: string): KeyObject {
  const pem = readKeyFile(file, '--sign-key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new RgUsageError(`--sign-key: ${file} is not a PEM private key (${errorMessage(err)}).`, 'Make one with `openssl genpkey -algorithm ed25519 -out gate.key`.');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RgUsageError(`--sign-key: ${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; only ed25519 is accepted.`, 'Make one with `openssl genpkey -algorithm ed25519 -out gate.key`.');
  }
  return key;
}

/** The ed25519 public key of `verify --key` (PEM SPKI; a private key file also works). */
export function readVerifyKey(file: string): KeyObject {
  const pem = readKeyFile(file, '--key');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new RgUsageError(`--key: ${file} is not a PEM public key (${errorMessage(err)}).`, 'Export it with `openssl pkey -in gate.key -pubout -out gate.pub`.');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RgUsageError(`--key: ${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; only ed25519 is accepted.`);
  return key;
}

export function statementFor(manifest: RunManifest, manifestDigest: ArtifactDigest): InTotoStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [...manifest.artifacts, manifestDigest].map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    predicateType: PREDICATE_TYPE,
    predicate: manifest,
  };
}

export function signStatement(statement: InTotoStatement<unknown>, key: KeyObject): DsseEnvelope {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const sig = sign(null, pae(DSSE_PAYLOAD_TYPE, payload), key);
  return { payloadType: DSSE_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: keyId(key), sig: sig.toString('base64') }] };
}

/** The statement (of predicateType) inside an envelope, and whether one of its signatures is the key's. Never throws on bad input. */
export function openEnvelope<P = RunManifest>(
  envelope: unknown,
  key: KeyObject | undefined,
  predicateType = PREDICATE_TYPE,
): { statement?: InTotoStatement<P>; signed: boolean | null; problem?: string } {
  const env = envelope as Partial<DsseEnvelope> | null;
  if (!env || typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !Array.isArray(env.signatures)) {
    return { signed: key ? false : null, problem: 'not a DSSE envelope (payloadType, payload, signatures)' };
  }
  const payload = Buffer.from(env.payload, 'base64');
  let signed: boolean | null = null;
  if (key) {
    const message = pae(env.payloadType, payload);
    signed = env.signatures.some((s) => {
      try {
        return typeof s?.sig === 'string' && verify(null, message, key, Buffer.from(s.sig, 'base64'));
      } catch {
        // A malformed signature is simply not a valid one; the next may be.
        return false;
      }
    });
  }
  if (env.payloadType !== DSSE_PAYLOAD_TYPE) return { signed, problem: `payloadType is ${env.payloadType}, expected ${DSSE_PAYLOAD_TYPE}` };
  let statement: InTotoStatement<P>;
  try {
    statement = JSON.parse(payload.toString('utf8')) as InTotoStatement<P>;
  } catch (err) {
    return { signed, problem: `payload is not JSON: ${errorMessage(err)}` };
  }
  if (statement === null || typeof statement !== 'object' || statement._type !== STATEMENT_TYPE || statement.predicateType !== predicateType || !Array.isArray(statement.subject)) {
    return { signed, problem: `payload is not a ${predicateType} in-toto statement` };
  }
  return { statement, signed };
}
