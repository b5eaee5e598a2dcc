import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RgConfigError, RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { StackRelease } from '../../model/stack.js';
import { runGroup, type ProcessResult } from '../../common/process-group.js';
import { ENGINE_HINT } from '../docker/engine-api.js';
import { detectCompose, type ComposeFlavor } from './compose-cli.js';
import { parseComposeModel, type ComposeModel } from './compose-model.js';
import { managedOverride } from './compose-project.js';

/** What every compose call of a project is given: its name, files, env file and environment. */
export interface ComposeCommandOptions {
  projectDir: string;
  projectName: string;
  files: string[];
  envFile?: string | undefined;
  env?: Record<string, string> | undefined;
  compose?: 'auto' | 'v2' | 'v1' | undefined;
  /** The folder name (under $TMPDIR/release-gate) for the files it generates; default the project name. */
  generatedDir?: string | undefined;
}

/** How one compose call runs: where its output goes, whether to keep it, what stops it. */
export interface ComposeCallOptions {
  output?: OutputSink | undefined;
  capture?: boolean;
  signal?: AbortSignal | undefined;
  /** Our labelling override as the last `-f` (default); off for `config` and `logs`. */
  withOverride?: boolean;
  stdoutFd?: number;
}

/**
 * The compose CLI of one project (`docker compose` v2 or `docker-compose` v1): which one runs,
 * its arguments, the compose model its `config` prints, and the override labelling what it
 * creates as release-gate's.
 */
export class ComposeCommand {
  private flavor: ComposeFlavor | null = null;
  private model: ComposeModel | null = null;
  private configOutput = '';
  private overridePath: string | null = null;
  /** The folder of the files it generated, once made: close() removes it. */
  private generated: string | null = null;
  /** The release the next calls run (StackDriver.up): its variables, and its images as one more `-f`. */
  private release: { env: Record<string, string>; imagesFile: string | null } = { env: {}, imagesFile: null };
  /** A release with compose files of its own (StackRelease.compose): the calls go to its command, same project name. */
  private releaseFiles: ComposeCommand | null = null;

  constructor(private readonly opts: ComposeCommandOptions) {}

  /** The compose found (v2 or v1); RG_DRIVER_UNAVAILABLE when none runs. */
  async compose(): Promise<ComposeFlavor> {
    if (this.flavor) return this.flavor;
    const want = this.opts.compose ?? 'auto';
    const { flavor, tried } = await detectCompose(this.env(), this.opts.projectDir, want);
    if (!flavor) {
      throw new RgEnvironmentError(
        'RG_DRIVER_UNAVAILABLE',
        `Docker Compose ${want === 'auto' ? '' : `${want} `}not found (${tried.join('; ')}).`,
        'Install the compose v2 plugin (on Debian: `sudo apt-get install docker-compose`; or `scripts/docker-engine.sh` of the release-gate repository) or docker-compose v1.',
      );
    }
    this.flavor = flavor;
    return flavor;
  }

  /** The env file when configured and present (DESIGN: COMPOSE_ENV_FILE, `.env` when present). */
  envFile(): string | undefined {
    if (!this.opts.envFile) return undefined;
    const path = resolve(this.opts.projectDir, this.opts.envFile);
    return existsSync(path) ? path : undefined;
  }

  /**
   * Compose's environment: ours plus the stack's variables, without the empty ones. Compose
   * gives the environment precedence over the env file, an empty value included, so an empty
   * METRICS_TOKEN here would blank the one `.env` sets (and make /metrics public).
   */
  env(): NodeJS.ProcessEnv {
    if (this.releaseFiles) return this.releaseFiles.env();
    return Object.fromEntries(Object.entries({ ...process.env, ...(this.opts.env ?? {}), ...this.release.env }).filter(([, value]) => value !== undefined && value !== ''));
  }

  /** Runs compose with the project's arguments before `args`; RG_DRIVER_UNAVAILABLE when it cannot start. */
  async run(args: string[], call: ComposeCallOptions = {}): Promise<ProcessResult> {
    if (this.releaseFiles) return this.releaseFiles.run(args, call);
    const flavor = await this.compose();
    const full = [...(await this.baseArgs(call.withOverride ?? true)), ...args];
    const r = await runGroup([flavor.argv0[0], ...full], {
      cwd: this.opts.projectDir,
      env: this.env(),
      capture: call.capture ?? false,
      stripAnsi: true,
      ...(call.output ? { output: call.output } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.stdoutFd !== undefined ? { stdoutFd: call.stdoutFd } : {}),
    });
    if (r.spawnError) {
      throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Could not run ${flavor.argv0.join(' ')}: ${r.spawnError.message}`, ENGINE_HINT, r.spawnError);
    }
    return r;
  }

  /** run(), throwing the abort or a step error when compose fails. */
  async orThrow(args: string[], output: OutputSink, what: string, signal?: AbortSignal): Promise<void> {
    const r = await this.run(args, { output, signal });
    if (signal?.aborted) throw signal.reason;
    if (r.exitCode !== 0) throw this.error(what, r);
  }

  /** `docker compose <what> exited with N (project p) (last: …)`. */
  error(what: string, r: ProcessResult): RgStepError {
    const cmd = `${this.flavor?.argv0.join(' ') ?? 'docker compose'} ${what}`;
    const last = r.tail.at(-1);
    return new RgStepError(`${cmd} exited with ${r.exitCode} (project ${this.opts.projectName})${last ? ` (last: ${last.trim()})` : ''}.`, {
      hint: 'The step log holds the full output.',
    });
  }

  /** The compose model of the files, from `compose config` (read once). */
  async loadModel(): Promise<ComposeModel> {
    if (this.releaseFiles) return this.releaseFiles.loadModel();
    if (this.model) return this.model;
    const flavor = await this.compose();
    const args = flavor.kind === 'v2' ? ['config', '--format', 'json'] : ['config'];
    const r = await this.run(args, { capture: true, withOverride: false });
    if (r.exitCode !== 0) {
      throw new RgConfigError([{ where: this.opts.files.join(', '), message: `compose config failed: ${r.tail.join(' | ') || `exit ${r.exitCode}`}` }]);
    }
    try {
      this.model = parseComposeModel(r.stdout);
      this.configOutput = r.stdout;
    } catch (err) {
      throw new RgConfigError([{ where: this.opts.files.join(', '), message: `unreadable compose config output: ${errorMessage(err)}` }]);
    }
    return this.model;
  }

  /** `docker compose config` output of the files (JSON for v2, YAML for v1; YAML parses both): the swarm driver deploys it. */
  async configText(): Promise<string> {
    await this.loadModel();
    return this.configOutput;
  }

  /** True while a release runs from compose files of its own (StackRelease.compose). */
  get releaseFilesInForce(): boolean {
    return this.releaseFiles !== null;
  }

  /**
   * Runs every later call as this release (none: the candidate again). Its images go in a
   * generated compose file of their own, after the project's files, so only `image:` changes.
   * A release with compose files of its own runs them, through a command of its own under the
   * same project name (its generated files in a folder of their own).
   */
  async useRelease(release: StackRelease | undefined): Promise<void> {
    await this.releaseFiles?.close();
    this.releaseFiles = null;
    if (release?.compose) {
      const { projectDir, files } = release.compose;
      const own = new ComposeCommand({ ...this.opts, projectDir, files, envFile: this.envFile(), generatedDir: `${this.opts.generatedDir ?? this.opts.projectName}.release` });
      own.flavor = this.flavor;
      await own.useRelease({ ...(release.env ? { env: release.env } : {}), ...(release.images ? { images: release.images } : {}) });
      this.releaseFiles = own;
      this.release = { env: {}, imagesFile: null };
      return;
    }
    const images = Object.entries(release?.images ?? {});
    let imagesFile: string | null = null;
    if (images.length > 0) {
      imagesFile = join(await this.ownDir(), 'release-gate.release-images.json');
      await writeFile(imagesFile, `${JSON.stringify({ services: Object.fromEntries(images.map(([service, image]) => [service, { image }])) }, null, 2)}\n`);
    }
    this.release = { env: release?.env ?? {}, imagesFile };
  }

  /**
   * Back to the candidate's files when the release's are gone: a drill cut short leaves the
   * release in force, and its worktree is removed at teardown before the stack's `down`.
   */
  async forgetReleaseWithoutFiles(output: OutputSink): Promise<void> {
    const files = this.releaseFiles?.opts.files.map((f) => resolve(this.releaseFiles?.opts.projectDir ?? '', f)) ?? [];
    const gone = files.filter((f) => !existsSync(f));
    if (gone.length === 0) return;
    output.line(`the release's compose file(s) ${gone.join(', ')} are gone: the candidate's files run, its orphans removed`);
    await this.useRelease(undefined);
  }

  /** Removes the files it generated (the override, a release's images file). */
  async close(): Promise<void> {
    await this.releaseFiles?.close();
    this.releaseFiles = null;
    if (this.generated) await rm(this.generated, { recursive: true, force: true });
    this.generated = null;
    this.overridePath = null;
  }

  /** `-p … -f … [--env-file …]`, plus our labelling override once the model is known. */
  private async baseArgs(withOverride: boolean): Promise<string[]> {
    const flavor = await this.compose();
    // No --project-directory: relative paths in the files resolve from the first file's folder, as for the user.
    const args = [...flavor.argv0.slice(1), ...flavor.noAnsi, '-p', this.opts.projectName];
    for (const f of this.opts.files) args.push('-f', resolve(this.opts.projectDir, f));
    if (this.release.imagesFile && withOverride) args.push('-f', this.release.imagesFile);
    if (withOverride) args.push('-f', await this.ensureOverride());
    const envFile = this.envFile();
    if (envFile) args.push('--env-file', envFile);
    return args;
  }

  /** This project's folder for the files it generates; close() removes it. */
  private async ownDir(): Promise<string> {
    const dir = join(tmpdir(), 'release-gate', this.opts.generatedDir ?? this.opts.projectName);
    await mkdir(dir, { recursive: true });
    this.generated = dir;
    return dir;
  }

  private async ensureOverride(): Promise<string> {
    if (this.overridePath && existsSync(this.overridePath)) return this.overridePath;
    const model = await this.loadModel();
    const file = join(await this.ownDir(), 'release-gate.override.json');
    await writeFile(file, managedOverride(model));
    this.overridePath = file;
    return file;
  }
}
