// Needs a real Docker engine and the local debian:trixie-slim image (scripts/docker-engine.sh).
// Run through `npm run test:docker`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { OutputSink } from '../../common/output.js';
import { hasReleaseLeftovers } from '../../model/stack.js';
import { buildPreviousRelease } from './previous-release.js';
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

/*
 * A build that fails and whose cleanup fails too (compose's `config` needs no engine; its build
 * and every engine call meet a socket that answers nothing): both in its error, which carries
 * the removal for the teardown to try again.
 */
describe('previous release: a failed build whose cleanup fails too', () => {
  const base = mkdtempSync(join(tmpdir(), 'rg-test-prevref-leftovers-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  function git(...args: string[]): string {
    const r = spawnSync('git', ['-c', 'user.name=rg-test', '-c', 'user.email=rg-test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: base, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  it('throws the build\'s failure and the removal\'s, and carries the removal for the teardown', async () => {
    git('init', '-q');
    writeFileSync(join(base, 'docker-compose.yml'), 'services: { web: { build: . } }\n');
    writeFileSync(join(base, 'Dockerfile'), 'FROM debian:trixie-slim\n');
    git('add', '.');
    git('commit', '-qm', 'v1');
    const socketPath = join(base, 'no-engine.sock');
    const out = sink();
    const failure = await buildPreviousRelease(
      { projectDir: base, projectName: project, files: ['docker-compose.yml'], docker: new Docker({ socketPath }), env: { DOCKER_HOST: `unix://${socketPath}` } },
      'HEAD',
      out,
      new AbortController().signal,
    ).then(
      () => assert.fail('built without an engine'),
      (err: unknown) => err,
    );
    assert.ok(hasReleaseLeftovers(failure), `no removal to try again: ${String(failure)}`);
    assert.match(String(failure), new RegExp(`docker compose build \\(previous release, [0-9a-f]{12}\\) exited with \\d+ .*\\(and removing what the build made failed: The previous release was not fully removed: image ${project}-previous-web:[0-9a-f]{12}: `));
    assert.match(out.text(), /previous release: image IDs not recorded .*: their label decides/);
    assert.match(out.text(), /previous release: worktree .* removed/);
    assert.deepEqual(git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')), [`worktree ${base}`]);
    await assert.rejects(failure.removeLeftovers(sink()), new RegExp(`not fully removed: image ${project}-previous-web:`));
  });
});
