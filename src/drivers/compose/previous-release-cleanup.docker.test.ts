// Needs a real Docker engine and the local debian:trixie-slim image (scripts/docker-engine.sh).
// Run through `npm run test:docker`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { OutputSink } from '../../common/output.js';
import { PreviousReleaseCleanup } from './previous-release-cleanup.js';

/*
 * Which images the previous release's cleanup removes, on a real engine: the tags whose image is
 * still the one the build made (its ID, recorded right after the build: compose v1 labels
 * nothing), else only those labelled exactly `<project>-previous`; and the dangling images of
 * exactly that label. Images are tiny: debian:trixie-slim with labels (no layer of their own).
 */
const project = `rg-test-${randomBytes(4).toString('hex')}`;
const buildProject = `${project}-previous`;
const LABEL = 'com.docker.compose.project';
const tag = (name: string) => `${buildProject}-${name}:0123456789ab`;
/** Images this test made, by ID, removed at the end (the tags go with them). */
const made = new Set<string>();

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** An image of its own (its labels make its ID), tagged; returns its ID. */
function image(name: string, labels: Record<string, string>): string {
  const args = ['build', '-q', '-t', name, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), '-'];
  const r = spawnSync('docker', args, { input: 'FROM debian:trixie-slim\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const id = docker('image', 'inspect', '--format', '{{.Id}}', name);
  made.add(id);
  return id;
}

const exists = (ref: string) => spawnSync('docker', ['image', 'inspect', ref]).status === 0;

function sink(): OutputSink & { text(): string } {
  const parts: string[] = [];
  return { write: (chunk) => parts.push(chunk.toString()), line: (text) => parts.push(`${text}\n`), text: () => parts.join('') };
}

describe('previous release cleanup: only the images the build made', () => {
  after(() => {
    for (const id of made) spawnSync('docker', ['image', 'rm', '--force', id]);
  });

  it('removes its tags by the recorded ID, else by its exact project label; leaves a re-tagged or foreign one; prunes its dangling images', async () => {
    const ours = image(tag('web'), { [LABEL]: buildProject, 'rg.test': 'web' });
    // Built by v1 (no label), ID recorded: removed.
    image(tag('v1'), { 'rg.test': 'v1' });
    // Recorded, then re-tagged by someone else to another image: left.
    const built = image(tag('retagged'), { [LABEL]: buildProject, 'rg.test': 'retagged-built' });
    // No ID recorded (the build was cut): the label decides, exactly.
    image(tag('labelled'), { [LABEL]: buildProject, 'rg.test': 'labelled' });
    image(tag('candidate-label'), { [LABEL]: project, 'rg.test': 'candidate-label' });
    // A tag rebuilt leaves the older image dangling: labelled with our build's project, pruned…
    const danglingOurs = image(tag('dangling'), { [LABEL]: buildProject, 'rg.test': 'dangling-1' });
    image(tag('dangling'), { [LABEL]: buildProject, 'rg.test': 'dangling-2' });
    // …one labelled with another project is not.
    const danglingOther = image(`${project}-other:x`, { [LABEL]: `${buildProject}-other`, 'rg.test': 'other-1' });
    image(`${project}-other:x`, { [LABEL]: `${buildProject}-other`, 'rg.test': 'other-2' });

    const own = mkdtempSync(join(tmpdir(), 'release-gate-previous-'));
    const cleanup = new PreviousReleaseCleanup({ docker: new Docker(), buildProject, repo: own, own, tree: join(own, 'tree') });
    await cleanup.recordImages([tag('web'), tag('v1'), tag('retagged'), tag('dangling')]);
    assert.equal(cleanup.images.get(tag('web')), ours);
    assert.equal(cleanup.images.get(tag('retagged')), built);
    image(tag('retagged'), { [LABEL]: buildProject, 'rg.test': 'retagged-by-someone' });
    cleanup.images.set(tag('labelled'), null);
    cleanup.images.set(tag('candidate-label'), null);
    const out = sink();
    // Not a git repository: the worktree part fails, the images are still done.
    await assert.rejects(cleanup.remove(out), /not fully removed: worktree .*git worktree list exited with 128/);
    assert.equal(existsSync(own), false, 'our folder outlived a failed git');

    assert.equal(exists(tag('web')), false, out.text());
    assert.equal(exists(tag('v1')), false, out.text());
    assert.equal(exists(tag('labelled')), false, out.text());
    assert.equal(exists(tag('dangling')), false, out.text());
    assert.equal(exists(tag('retagged')), true, 're-tagged by someone else: not ours');
    assert.match(out.text(), new RegExp(`${tag('retagged')} is not the image the gate built \\(now sha256:[0-9a-f]{12}, built ${built.slice(0, 19)}\\), left as it is`));
    assert.equal(exists(tag('candidate-label')), true, "labelled with the candidate's project, not the build's: not ours");
    assert.match(out.text(), new RegExp(`${tag('candidate-label')} is not the image the gate built \\(not labelled ${LABEL}=${buildProject}\\)`));
    assert.equal(exists(danglingOurs), false, 'the dangling image of our build was not pruned');
    assert.match(out.text(), new RegExp(`removed \\d+ dangling image layer\\(s\\) labelled ${LABEL}=${buildProject}`));
    assert.equal(exists(danglingOther), true, "another project's dangling image was pruned");
  });
});
