// The previous release from a git ref, up to the point where compose would build it: real git,
// real worktrees, no Docker engine (every case here fails before a compose call; the cleanup's
// failures come from a client whose socket answers nothing). What each refusal says, that the
// repository's hooks never run, and that nothing of ours is left behind (no worktree in `git
// worktree list`, no folder) while someone else's stale worktree stays listed.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { OutputSink } from '../../common/output.js';
import { buildPreviousRelease } from './previous-release.js';
import { PreviousReleaseCleanup } from './previous-release-cleanup.js';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=rg-test', '-c', 'user.email=rg-test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function sink(): OutputSink & { text(): string } {
  const parts: string[] = [];
  return { write: (chunk) => parts.push(chunk.toString()), line: (text) => parts.push(`${text}\n`), text: () => parts.join('') };
}

/** Our folders under the temp dir (`release-gate-previous-*`) that were not there before. */
const ownFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('release-gate-previous-'));

describe('previous release from a git ref: refusals, and nothing left behind', () => {
  const base = mkdtempSync(join(tmpdir(), 'rg-prevref-git-'));
  const repo = join(base, 'repo');
  const app = join(repo, 'app');
  const notRepo = join(base, 'plain');
  let folders: string[] = [];
  before(() => {
    folders = ownFolders();
    mkdirSync(app, { recursive: true });
    mkdirSync(notRepo);
    git(repo, 'init', '-q');
    // v1 has no compose file under app/ yet; the candidate (HEAD) has one.
    writeFileSync(join(app, 'README'), 'v1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'v1');
    git(repo, 'tag', 'v1');
    writeFileSync(join(app, 'docker-compose.yml'), 'services: { web: { image: busybox } }\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'v2');
  });
  // The repository's own: a post-checkout hook (git worktree add runs it) and a stale worktree of someone else.
  const marker = join(base, 'post-checkout-ran');
  const stale = join(base, 'someone-elses-worktree');
  before(() => {
    const hook = join(repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, `#!/bin/sh\necho ran > ${JSON.stringify(marker)}\n`);
    chmodSync(hook, 0o755);
    git(repo, '-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '-q', '--detach', stale, 'v1');
    rmSync(stale, { recursive: true });
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  /** The worktrees git lists, as paths. */
  const worktrees = () => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));

  const build = (projectDir: string, ref: string, out = sink()) =>
    buildPreviousRelease({ projectDir, projectName: 'rg-test-prevref', files: ['docker-compose.yml'], docker: new Docker() }, ref, out, new AbortController().signal);

  it('refuses a ref that git would read as an option, before running git', async () => {
    await assert.rejects(build(app, '--output=/tmp/pwned'), (err: Error) => {
      assert.match(err.message, /previous\.ref: "--output=\/tmp\/pwned" is refused: it starts with "-"/);
      return true;
    });
  });

  it('says the project is not in a git repository, naming the ref and what was tried', async () => {
    await assert.rejects(build(notRepo, 'v1'), (err: Error) => {
      assert.match(err.message, /previous\.ref: "v1" cannot be resolved: .*plain is not in a git repository \(tried `git rev-parse --show-toplevel` there/);
      return true;
    });
  });

  it('says a ref that names no commit does not resolve, and how it tried', async () => {
    await assert.rejects(build(app, 'v0.9'), (err: Error) => {
      assert.match(err.message, /previous\.ref: "v0\.9" does not name a commit of .*repo \(tried `git rev-parse --verify v0\.9\^\{commit\}`/);
      return true;
    });
  });

  it("refuses a ref whose tree has no compose file of that name, and removes the worktree it checked out", async () => {
    const out = sink();
    const sha = git(repo, 'rev-parse', 'v1');
    await assert.rejects(build(app, 'v1', out), (err: Error) => {
      assert.match(err.message, new RegExp(`previous\\.ref: "v1" \\(${sha.slice(0, 12)}\\) has no .*/tree/app/docker-compose\\.yml: the previous release is built from its own compose file`));
      return true;
    });
    assert.match(out.text(), new RegExp(`previous release: git ref "v1" → commit ${sha}`));
    assert.match(out.text(), /worktree: .*\/tree \(detached at/);
    assert.match(out.text(), /previous release: worktree .* removed/);
    assert.deepEqual(worktrees(), [repo, stale], "ours was left, or someone else's stale worktree was pruned");
    assert.deepEqual(git(repo, 'branch', '--list'), '* master'.replace('master', git(repo, 'branch', '--show-current')));
    assert.deepEqual(ownFolders(), folders, 'a folder of ours was left in the temp dir');
  });

  it("never runs the repository's hooks: git worktree add checks out without its post-checkout hook", async () => {
    await assert.rejects(build(app, 'v1'));
    assert.ok(existsSync(join(repo, '.git', 'hooks', 'post-checkout')));
    assert.equal(existsSync(marker), false, 'the post-checkout hook ran');
  });

  it("removes a worktree git refuses to remove (locked) by its own entry, and leaves someone else's stale one", async () => {
    const own = mkdtempSync(join(tmpdir(), 'release-gate-previous-'));
    const tree = join(own, 'tree');
    git(repo, '-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '-q', '--detach', tree, 'v1');
    git(repo, 'worktree', 'lock', tree);
    const out = sink();
    await new PreviousReleaseCleanup({ docker: new Docker(), buildProject: 'rg-test-prevref-previous', repo, own, tree }).remove(out);
    assert.match(out.text(), /git worktree remove .* exited with \d+ .*; removing its entry in the repository by hand/);
    assert.deepEqual(worktrees(), [repo, stale]);
    assert.equal(existsSync(own), false);
  });

  it('tries every part, throws what failed together, and tries only that again on the next call', async () => {
    const own = mkdtempSync(join(tmpdir(), 'release-gate-previous-'));
    const tree = join(own, 'tree');
    git(repo, '-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '-q', '--detach', tree, 'v1');
    // An engine that does not answer: the image and the prune fail, the worktree still goes.
    const cleanup = new PreviousReleaseCleanup({ docker: new Docker({ socketPath: join(base, 'no-engine.sock') }), buildProject: 'rg-test-prevref-previous', repo, own, tree });
    cleanup.images.set('rg-test-prevref-previous-web:0123456789ab', 'sha256:00');
    const out = sink();
    await assert.rejects(cleanup.remove(out), (err: Error) => {
      assert.match(err.message, /^The previous release was not fully removed: image rg-test-prevref-previous-web:0123456789ab: .*no-engine\.sock.*; dangling images labelled com\.docker\.compose\.project=rg-test-prevref-previous: /);
      assert.doesNotMatch(err.message, /worktree/);
      return true;
    });
    assert.match(out.text(), /previous release: worktree .* removed/);
    assert.deepEqual(worktrees(), [repo, stale]);
    assert.equal(existsSync(own), false);
    await assert.rejects(cleanup.remove(sink()), /not fully removed: image rg-test-prevref-previous-web/);
  });
});
