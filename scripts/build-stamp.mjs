// What the built files were built from: scripts/bundle.mjs writes dist/bundle/build-stamp.json
// after each build, and the GitHub Action (scripts/github-action.mjs install) skips the build
// when the stamp matches its checkout: the same sources, and the bundle files the stamp names,
// unchanged. Anything missing or different reads as "not built", never as "current".
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The inputs of `npm run build`, relative to the package root (every file under a folder). */
export const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'scripts/bundle.mjs', 'src'];
/** The built files the action runs, relative to the package root. */
export const BUILT_FILES = ['dist/bundle/cli/release-gate.cjs', 'dist/bundle/cli/cli.cjs'];
export const STAMP = 'dist/bundle/build-stamp.json';

function* files(root, rel) {
  const path = join(root, rel);
  if (!existsSync(path)) return;
  const entries = (() => {
    try {
      return readdirSync(path, { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOTDIR') return null;
      throw err;
    }
  })();
  if (entries === null) {
    yield rel;
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) yield* files(root, `${rel}/${e.name}`);
}

function sha256(root, rels) {
  const hash = createHash('sha256');
  for (const rel of rels) {
    hash.update(`${rel}\0`);
    hash.update(readFileSync(join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The stamp for the package at `root` as it is now (null when a built file is missing). */
export function currentStamp(root) {
  if (BUILT_FILES.some((f) => !existsSync(join(root, f)))) return null;
  const sources = BUILD_INPUTS.flatMap((rel) => [...files(root, rel)]);
  return { sources: sha256(root, sources), built: sha256(root, BUILT_FILES) };
}

/** Why the built files at `root` are not current, or null when they are. */
export function staleReason(root) {
  const stampFile = join(root, STAMP);
  if (!existsSync(stampFile)) return `no ${STAMP}`;
  const now = currentStamp(root);
  if (!now) return `${BUILT_FILES.filter((f) => !existsSync(join(root, f))).join(', ')} missing`;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch (err) {
    return `${STAMP} is not JSON (${err.message})`;
  }
  if (stamp.sources !== now.sources) return `the sources changed since the build (${BUILD_INPUTS.join(', ')})`;
  if (stamp.built !== now.built) return `the built files changed since the build (${BUILT_FILES.join(', ')})`;
  return null;
}
