// The node image of the two-node swarm fixture (test/two-node-swarm.ts): a Docker engine in a
// container, built from test/fixtures/swarm-node/ with the cache and tagged by the hash of its
// files, so it is built once and kept between runs (a test image; the Docker suite's leftover
// check looks at rg-test-* containers, volumes and networks, never at images).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './helpers.js';

export const NODE_IMAGE_DIR = join(FIXTURES, 'swarm-node');
const NODE_IMAGE_FILES = ['Dockerfile', 'entrypoint.sh'];
const BASE_IMAGE = 'debian:trixie-slim';

/** `rg-swarm-node:<12 hex of the SHA-256 of its Dockerfile and entrypoint>`. */
export function nodeImageTag(): string {
  const hash = createHash('sha256');
  for (const file of NODE_IMAGE_FILES) hash.update(`${file}\0`).update(readFileSync(join(NODE_IMAGE_DIR, file)));
  return `rg-swarm-node:${hash.digest('hex').slice(0, 12)}`;
}

/** Builds the node image unless present; returns its tag and how long the build took (0 when cached). */
export function ensureNodeImage(): { image: string; buildMs: number } {
  const image = nodeImageTag();
  if (spawnSync('docker', ['image', 'inspect', image], { encoding: 'utf8' }).status === 0) return { image, buildMs: 0 };
  if (spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { encoding: 'utf8' }).status !== 0) {
    throw new Error(`base image ${BASE_IMAGE} missing for the swarm node image: \`sudo bash scripts/docker-engine.sh --swarm\` builds it.`);
  }
  const t0 = Date.now();
  const build = spawnSync('docker', ['build', '-q', '-t', image, NODE_IMAGE_DIR], { encoding: 'utf8', timeout: 600_000 });
  if (build.status !== 0) {
    throw new Error(`docker build of the swarm node image ${image} from ${NODE_IMAGE_DIR} failed (exit ${build.status ?? build.signal}):\n${(build.stderr || build.stdout).trim().split('\n').slice(-20).join('\n')}`);
  }
  return { image, buildMs: Date.now() - t0 };
}
