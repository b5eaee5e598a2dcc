import { lstatSync, readlinkSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { errorMessage } from '../common/errors.js';

/** The link's name, beside the runs: `/tmp/release_gate_latest` for the default log dir. */
export const LATEST_LINK_NAME = 'release_gate_latest';

/** What became of the link: a console note when the user should know. */
export type LatestLinkResult =
  | { status: 'linked'; link: string; target: string }
  /** Not ours to make here (the project, the home folder, `/`): nothing written, nothing said. */
  | { status: 'not-here'; why: string }
  /** Something we did not make holds the name, or the folder refused: left as it is. */
  | { status: 'left'; link: string; why: string };

export interface LatestLinkPlace {
  /** The project root: the gate writes nothing into it but the log dir. */
  root: string;
  /** The user's home folder (not a place for a stray link). */
  home?: string | undefined;
  /** This process's uid (a link we may replace is ours); undefined where uids do not exist. */
  uid?: number | undefined;
}

/**
 * Points `<parent of logDir>/release_gate_latest` at the log dir (a relative link: its bare
 * name), so quick checks read the latest run only. Safe by construction:
 * - only a symlink this user owns whose target is a bare sibling name (what we write) is
 *   replaced; a file, a folder, someone else's link or a link elsewhere is left alone;
 * - the replacement is atomic (a new link renamed over the old one): never a moment without it;
 * - nothing is written into the project root (or below it), the home folder or `/`;
 * - a failure is a note, never a failure of the gate.
 */
export function updateLatestLink(logDir: string, place: LatestLinkPlace): LatestLinkResult {
  const dir = resolve(logDir);
  const parent = dirname(dir);
  const name = basename(dir);
  const link = join(parent, LATEST_LINK_NAME);
  const root = resolve(place.root);
  if (parent === dir || parent === dirname(parent)) return { status: 'not-here', why: `the log dir's folder is ${parent}` };
  if (place.home !== undefined && place.home !== '' && resolve(place.home) === parent) return { status: 'not-here', why: 'the log dir is in the home folder' };
  if (isInside(parent, root)) return { status: 'not-here', why: 'the log dir is in the project' };
  if (name === LATEST_LINK_NAME) return { status: 'not-here', why: `the log dir is named ${LATEST_LINK_NAME}` };

  const held = notOurs(link, place.uid);
  if (held !== null) return { status: 'left', link, why: held };
  const temp = join(parent, `.${LATEST_LINK_NAME}.${process.pid}.${Date.now()}`);
  try {
    symlinkSync(name, temp);
    // rename() replaces a link, never follows it; onto a folder it fails, which is right.
    renameSync(temp, link);
    return { status: 'linked', link, target: name };
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // The temporary link was never made (or already renamed): nothing of ours to remove.
    }
    return { status: 'left', link, why: `could not be written: ${errorMessage(err)}` };
  }
}

/** Why `link` is not ours to replace, or null (absent, or a link we made). */
function notOurs(link: string, uid: number | undefined): string | null {
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    return null;
  }
  if (!stat.isSymbolicLink()) return stat.isDirectory() ? 'is a folder, not a link release-gate made' : 'is a file, not a link release-gate made';
  if (uid !== undefined && stat.uid !== uid) return `is a link owned by another user (uid ${stat.uid})`;
  const target = readlinkSync(link);
  if (target.includes('/') || target === '.' || target === '..' || target === '') return `is a link to ${target}, not to a run beside it (release-gate links a sibling folder by name)`;
  return null;
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/** The console line for the result (none when the place is not one for a link). */
export function latestLinkNote(result: LatestLinkResult): string | undefined {
  if (result.status === 'linked') return `latest: ${result.link} → ${result.target}`;
  if (result.status === 'left') return `latest: ${result.link} not updated: it ${result.why}; left alone`;
  return undefined;
}
