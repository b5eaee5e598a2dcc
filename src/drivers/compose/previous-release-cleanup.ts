import { existsSync, realpathSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { PROJECT_LABEL } from './compose-project.js';
import { git, lastLine } from './previous-release-git.js';

/** Where the previous release's build put things: the repository, our worktree in our own folder, the project it built under. */
export interface PreviousReleaseParts {
  docker: Docker;
  /** The compose project the build ran under (`<project>-previous`): its images carry it as their label (compose v2). */
  buildProject: string;
  repo: string;
  /** Our own folder (mkdtemp) and the worktree inside it. */
  own: string;
  tree: string;
}

/**
 * Removes what building the previous release made: its image tags (only the images the build
 * made: the ID recorded right after the build, else compose's project label), the dangling
 * images left labelled with its project, our worktree (never another one of the repository)
 * and our folder. Every part is tried; the failures are thrown together at the end, and a part
 * that failed is tried again by the next call (the teardown's).
 */
export class PreviousReleaseCleanup {
  /** Tag → the image ID it had right after the build; null when unknown (the label decides). */
  readonly images = new Map<string, string | null>();
  private worktreeLeft = true;
  /** Tags were ever listed: a build ran, it may have left dangling images (none to look for otherwise). */
  private built = false;
  private readonly realTree: string;

  constructor(private readonly parts: PreviousReleaseParts) {
    // git prints real paths: a temp dir behind a symlink (macOS /var → /private/var) must still match.
    this.realTree = join(realpathSync(parts.own), 'tree');
  }

  /** Records each tag's image ID, right after the build (compose v1 labels nothing it builds). */
  async recordImages(tags: string[]): Promise<void> {
    for (const tag of tags) this.images.set(tag, await this.imageId(tag));
  }

  async remove(output: OutputSink): Promise<void> {
    const failures: string[] = [];
    if (this.images.size > 0) this.built = true;
    for (const [tag, id] of [...this.images]) {
      try {
        await this.removeImage(tag, id, output);
        this.images.delete(tag);
      } catch (err) {
        failures.push(`image ${tag}: ${errorMessage(err)}`);
      }
    }
    try {
      if (this.built) await this.pruneDangling(output);
    } catch (err) {
      failures.push(`dangling images labelled ${PROJECT_LABEL}=${this.parts.buildProject}: ${errorMessage(err)}`);
    }
    if (this.worktreeLeft) {
      try {
        await this.removeWorktree(output);
        this.worktreeLeft = false;
      } catch (err) {
        failures.push(`worktree ${this.parts.tree}: ${errorMessage(err)}`);
      }
    }
    if (failures.length > 0) {
      throw new RgStepError(`The previous release was not fully removed: ${failures.join('; ')}.`, {
        hint: `Remove what is listed by hand (\`docker image rm <tag>\`, \`git -C ${this.parts.repo} worktree remove --force <path>\`).`,
      });
    }
  }

  private async imageId(tag: string): Promise<string | null> {
    try {
      return (await this.parts.docker.getImage(tag).inspect()).Id;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Our tag only: a tag now naming another image (someone re-tagged it) is left as it is. */
  private async removeImage(tag: string, id: string | null, output: OutputSink): Promise<void> {
    const { docker, buildProject } = this.parts;
    let info: Docker.ImageInspectInfo;
    try {
      info = await docker.getImage(tag).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw err;
    }
    const ours = id !== null ? info.Id === id : info.Config?.Labels?.[PROJECT_LABEL] === buildProject;
    if (!ours) {
      output.line(`previous release: ${tag} is not the image the gate built (${id !== null ? `now ${info.Id.slice(0, 19)}, built ${id.slice(0, 19)}` : `not labelled ${PROJECT_LABEL}=${buildProject}`}), left as it is`);
      return;
    }
    try {
      await docker.getImage(tag).remove();
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      // A drill cut short leaves the previous release's containers until the stack's own teardown
      // (after ours): the tag is forced off; the image, dangling, goes with the next prune.
      await docker.getImage(tag).remove({ force: true });
    }
    output.line(`previous release: removed image ${tag}`);
  }

  /** Dangling images of exactly our build's project (a forced untag leaves one). */
  private async pruneDangling(output: OutputSink): Promise<void> {
    const { docker, buildProject } = this.parts;
    const pruned = await docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${buildProject}`] } });
    const count = pruned.ImagesDeleted?.filter((i) => i.Deleted).length ?? 0;
    if (count > 0) output.line(`previous release: removed ${count} dangling image layer(s) labelled ${PROJECT_LABEL}=${buildProject}`);
  }

  /**
   * `git worktree remove --force` of ours; when git cannot, its entry under the repository's
   * `worktrees/` by hand. Never `git worktree prune`: that would drop the repository's other
   * stale worktrees too, which are not ours.
   */
  private async removeWorktree(output: OutputSink): Promise<void> {
    const { repo, tree, own } = this.parts;
    const r = await git(['worktree', 'remove', '--force', tree], repo);
    let failed: unknown = null;
    try {
      if (r.exitCode !== 0 && (await this.listed())) {
        output.line(`previous release: git worktree remove ${tree} exited with ${r.exitCode} (${lastLine(r)}); removing its entry in the repository by hand`);
        await this.removeEntry();
      }
    } catch (err) {
      failed = err;
    }
    // Our folder goes whatever git said.
    await rm(own, { recursive: true, force: true });
    if (failed !== null) throw failed;
    if (await this.listed()) throw new Error(`git still lists it (\`git -C ${repo} worktree list\`)`);
    output.line(`previous release: worktree ${tree} removed`);
  }

  /** Whether `git worktree list --porcelain` still names our tree. */
  private async listed(): Promise<boolean> {
    const r = await git(['worktree', 'list', '--porcelain'], this.parts.repo);
    if (r.exitCode !== 0) throw new Error(`git worktree list exited with ${r.exitCode} (${lastLine(r)})`);
    const paths = r.stdout.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));
    return paths.includes(this.parts.tree) || paths.includes(this.realTree);
  }

  /** Our entry under `<common dir>/worktrees/`: the one whose `gitdir` file points into our tree. */
  private async removeEntry(): Promise<void> {
    const { repo, tree } = this.parts;
    const common = await git(['rev-parse', '--git-common-dir'], repo);
    if (common.exitCode !== 0) throw new Error(`git rev-parse --git-common-dir exited with ${common.exitCode} (${lastLine(common)})`);
    const entries = join(resolve(repo, common.stdout.trim()), 'worktrees');
    if (!existsSync(entries)) return;
    const ours = new Set([join(tree, '.git'), join(this.realTree, '.git')]);
    for (const name of await readdir(entries)) {
      const gitdir = await readFile(join(entries, name, 'gitdir'), 'utf8').catch(() => '');
      if (ours.has(gitdir.trim())) await rm(join(entries, name), { recursive: true, force: true });
    }
  }
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;
