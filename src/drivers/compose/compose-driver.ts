import { closeSync, existsSync, mkdtempSync, openSync } from 'node:fs';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { RgConfigError, RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { CopiedFile, ExecOptions, LogsOptions, ServiceStatus, StackDriver, StackEvent, StackProvenance } from '../../model/stack.js';
import { bindProbe } from '../../common/ports.js';
import { portInBindError, portTakenHint, portVariables } from '../../common/port-variables.js';
import { runGroup, type ProcessResult as RunResult } from '../../common/process-group.js';
import { feedGrowingFile } from '../../common/follow-file.js';
import { copiedFileInfo } from '../docker/copied-file-info.js';
import { detectCompose, type ComposeFlavor } from './compose-cli.js';
import { namesakeVolumes, refuseForeignObjects } from '../docker/foreign-objects.js';
import { ENGINE_HINT, execInContainer, pingEngine } from '../docker/engine-api.js';
import {
  CONTAINER_NUMBER_LABEL,
  MANAGED_LABEL,
  ONEOFF_LABEL,
  PROJECT_LABEL,
  SERVICE_LABEL,
  defaultProjectName,
  isValidProjectName,
  managedOverride,
} from './compose-project.js';
import { parseComposeModel, type ComposeModel, type PublishedPort } from './compose-model.js';
import { toServiceStatus } from './container-status.js';
import { profileAllArgs } from './compose-cli.js';
import { sweepProject } from '../docker/project-sweep.js';
import { watchComposeProject } from './compose-watch.js';

export interface ComposeDriverOptions {
  /** Folder compose runs in; relative `files` and `envFile` resolve from it. */
  projectDir: string;
  /** Compose files, passed as `-f` in order. */
  files: string[];
  /** Passed as `--env-file` when set. */
  envFile?: string;
  /** Compose project name (`-p`); default `rg-<folder>-<hash>`, own and stable per checkout. */
  projectName?: string;
  /** Let `down` remove a project that has containers/volumes release-gate did not create. */
  forceClean?: boolean;
  /** Preflight fails below this much free disk (MB) where the engine stores data. Default 2048. */
  minFreeDiskMb?: number;
  /** Extra environment for compose (secrets interpolated into the compose file). */
  env?: Record<string, string>;
  /** One-shot jobs judged by their exit code, beside the `service_completed_successfully` targets. */
  oneShot?: string[];
  /** Only these services (build/up/ps/services); all when absent. */
  services?: string[];
  /** Which compose to run: `auto` (default) prefers `docker compose` v2, falls back to `docker-compose` v1. */
  compose?: 'auto' | 'v2' | 'v1';
  /** Engine API client; defaults to DOCKER_HOST or the local socket. */
  docker?: Docker;
  /** Port → the config's variable that sets it (the compose files' own are read too), for hints. */
  portVariables?: Record<string, string>;
}

const DEFAULT_MIN_FREE_DISK_MB = 2048;

/** Runs the stack with Docker Compose; observes it through the Engine API. */
export class ComposeDriver implements StackDriver {
  readonly name = 'compose';
  readonly projectName: string;
  private readonly opts: ComposeDriverOptions;
  private readonly projectDir: string;
  private readonly docker: Docker;
  private flavor: ComposeFlavor | null = null;
  private model: ComposeModel | null = null;
  private configOutput = '';
  private overridePath: string | null = null;
  private readonly watchers = new Set<() => void>();

  constructor(opts: ComposeDriverOptions) {
    if (opts.files.length === 0) throw new RgConfigError([{ where: 'stack.files', message: 'at least one compose file is required' }]);
    this.opts = opts;
    this.projectDir = resolve(opts.projectDir);
    this.projectName = opts.projectName ?? defaultProjectName(this.projectDir, opts.files);
    if (!isValidProjectName(this.projectName)) {
      throw new RgConfigError([
        {
          where: 'stack.project',
          message: `"${this.projectName}" is not a valid compose project name (lowercase letters, digits, "-" and "_", starting with a letter or digit)`,
        },
      ]);
    }
    this.docker = opts.docker ?? new Docker();
  }

  // ---------------------------------------------------------------- preflight

  async preflight(output: OutputSink): Promise<void> {
    await pingEngine(this.docker);
    const info = (await this.docker.info().catch(() => ({}))) as { ServerVersion?: string; DockerRootDir?: string };
    const version = (await this.docker.version().catch(() => ({}))) as { ApiVersion?: string };
    output.line(`engine: Docker ${info.ServerVersion ?? '?'} (API ${version.ApiVersion ?? '?'}) reachable`);
    const flavor = await this.compose();
    output.line(`compose: ${flavor.argv0.join(' ')} ${flavor.kind} (${flavor.version})${flavor.kind === 'v1' ? ' — legacy v1, docker compose v2 not found' : ''}`);
    const model = await this.loadModel();
    output.line(`project: ${this.projectName} (${model.services.length} services: ${model.services.join(', ')})`);
    if (this.opts.envFile) {
      const envFile = this.envFile();
      output.line(envFile ? `env file: ${envFile}` : `env file: ${resolve(this.projectDir, this.opts.envFile)} not found, compose runs without --env-file`);
    }
    await this.checkPorts(model.ports, output);
    await this.checkDisk(info.DockerRootDir, output);
  }

  /** Port → the variable of the compose files (or the config) that sets it, for hints. */
  private portVariables(): Record<string, string> {
    const files = this.opts.files.map((f) => resolve(this.projectDir, f));
    return { ...portVariables(files, this.opts.env ?? {}), ...this.opts.portVariables };
  }

  private async checkPorts(ports: PublishedPort[], output: OutputSink): Promise<void> {
    // Ports our own project already publishes are freed by the gate's `down`: not a conflict.
    const ours = new Set<number>();
    for (const c of await this.listContainers()) for (const p of c.Ports ?? []) if (p.PublicPort) ours.add(p.PublicPort);
    for (const p of ports) {
      if (p.protocol !== 'tcp') continue;
      if (ours.has(p.published)) {
        output.line(`port ${p.published} (service "${p.service}"): held by this project, freed by down`);
        continue;
      }
      const host = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '127.0.0.1' : p.hostIp;
      const problem = await bindProbe(p.published, host);
      if (problem) {
        throw new RgEnvironmentError(
          'RG_PORT_TAKEN',
          `Port ${host}:${p.published} published by service "${p.service}" is not free (${problem}).`,
          portTakenHint(p.published, this.portVariables(), this.opts.files),
        );
      }
      output.line(`port ${host}:${p.published} (service "${p.service}"): free`);
    }
  }

  private async checkDisk(dockerRootDir: string | undefined, output: OutputSink): Promise<void> {
    const min = this.opts.minFreeDiskMb ?? DEFAULT_MIN_FREE_DISK_MB;
    // The engine's data root when it is on this machine, else the project folder.
    const where = dockerRootDir && existsSync(dockerRootDir) ? dockerRootDir : this.projectDir;
    let freeMb: number;
    try {
      const s = await statfs(where);
      freeMb = Math.floor((s.bavail * s.bsize) / (1024 * 1024));
    } catch (err) {
      output.line(`disk: cannot stat ${where} (${errorMessage(err)}); free space not checked`);
      return;
    }
    if (freeMb < min) {
      throw new RgEnvironmentError(
        'RG_DISK_SPACE',
        `Only ${freeMb} MB free on ${where}; the gate needs at least ${min} MB for images, containers and volumes.`,
        'Free disk space (e.g. remove unused images with `docker image prune`), or lower stack.minFreeDiskMb.',
      );
    }
    output.line(`disk: ${freeMb} MB free on ${where} (minimum ${min} MB)`);
  }

  // ---------------------------------------------------------------- lifecycle

  async down(opts: { volumes: boolean }, output: OutputSink): Promise<void> {
    await this.refuseForeign(output);
    // Every profile: a service started under one by an earlier run (--keep-up) goes too.
    const args = [...profileAllArgs(await this.compose()), 'down', '--remove-orphans'];
    if (opts.volumes) args.push('-v');
    const r = await this.runCompose(args, output, false);
    // Whatever compose left (an older compose without `--profile '*'`, v1), by label.
    const left = await sweepProject(this.docker, this.projectName, { project: PROJECT_LABEL, managed: MANAGED_LABEL }, { volumes: opts.volumes, output });
    if (r.exitCode !== 0 && left.length === 0) {
      // Compose gave up on something (a network with active endpoints) the sweep then removed.
      output.line(`${this.flavor?.argv0.join(' ') ?? 'docker compose'} down exited ${r.exitCode}; what it left was removed by label: nothing of project ${this.projectName} remains`);
      await this.pruneOwnImages(output);
      return;
    }
    if (left.length > 0) {
      throw new RgStepError(`Project ${this.projectName} still holds ${left.length} object(s) after down: ${left.join(', ')}.`, {
        hint: `Remove them (\`docker ps -a --filter label=${PROJECT_LABEL}=${this.projectName}\`), then rerun.`,
      });
    }
    if (r.exitCode !== 0) throw this.commandError(`down${opts.volumes ? ' -v' : ''}`, r);
    await this.pruneOwnImages(output);
  }

  async build(opts: { noCache: boolean }, output: OutputSink, signal?: AbortSignal): Promise<void> {
    const args = ['build'];
    if (opts.noCache) args.push('--no-cache');
    await this.composeOrThrow([...args, ...(this.opts.services ?? [])], output, args.join(' '), signal);
    // Each rebuild leaves the previous images of this stack untagged (~1.3 GB per Korrigo build).
    await this.pruneOwnImages(output);
  }

  /** Removes the dangling images built for this project (compose labels them), never any other image. */
  private async pruneOwnImages(output: OutputSink): Promise<void> {
    try {
      const pruned = await this.docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${this.projectName}`] } });
      const count = pruned.ImagesDeleted?.filter((i) => i.Deleted).length ?? 0;
      if (count > 0) output.line(`removed ${count} dangling image layer(s) of project ${this.projectName} (${Math.round((pruned.SpaceReclaimed ?? 0) / 1e6)} MB)`);
    } catch (err) {
      // Disk hygiene, not evidence: a prune racing another one must not fail the build.
      output.line(`dangling images of project ${this.projectName} not removed: ${errorMessage(err)}`);
    }
  }

  async up(output: OutputSink, signal?: AbortSignal): Promise<void> {
    // Plain `up -d` as Korrigo's gate: images from the build step are reused, never rebuilt;
    // a missing one is built here rather than failing the boot.
    const r = await this.runCompose(['up', '-d', ...(this.opts.services ?? [])], output, false, signal);
    if (signal?.aborted) throw signal.reason;
    const taken = r.exitCode === 0 ? undefined : r.tail.find((line) => /port is already allocated|address already in use/i.test(line));
    if (taken) {
      // Free at preflight, taken since (another program, a second gate): the environment, not the release.
      throw new RgEnvironmentError(
        'RG_PORT_TAKEN',
        `A port published by project ${this.projectName} was taken between the preflight and \`up\` (last: ${taken.trim()}).`,
        portTakenHint(portInBindError(taken), this.portVariables(), this.opts.files),
      );
    }
    if (r.exitCode !== 0) throw this.commandError('up -d', r);
  }

  async ps(): Promise<string> {
    const flavor = await this.compose();
    const args = flavor.kind === 'v2' ? ['ps', '-a'] : ['ps'];
    const r = await this.runCompose([...args, ...(this.opts.services ?? [])], undefined, true);
    if (r.exitCode !== 0) throw this.commandError('ps', r);
    return r.stdout;
  }

  async logs(service: string | undefined, opts: LogsOptions): Promise<void> {
    const args = ['logs', '--no-color'];
    if (opts.tail !== undefined) args.push(`--tail=${opts.tail}`);
    if (service !== undefined) args.push(service);
    // Compose writes the dump to a file, read back in 1 MiB blocks as it grows: through a pipe it
    // came line by line and took 1.4× `docker compose logs > file` before any work on it. The
    // dump keeps both cores busy (compose and dockerd), so reading behind it or after it costs
    // about the same: behind it measured 1.06–1.18× the CLI (mean 1.11), after it 1.09–1.24× (1.15).
    const dir = mkdtempSync(join(tmpdir(), 'rg-compose-logs-'));
    try {
      const path = join(dir, 'logs.out');
      const fd = openSync(path, 'w');
      let finished = false;
      let fed: unknown = null;
      let r: RunResult;
      try {
        const running = this.runCompose(args, opts.output, false, opts.signal, true, fd).finally(() => (finished = true));
        await feedGrowingFile(path, opts.output, { signal: opts.signal, finished: () => finished }).catch((err: unknown) => (fed = err ?? new Error('feed failed')));
        // Also after a failed feed: compose never outlives the step (an abort has killed it).
        r = await running;
      } finally {
        closeSync(fd);
      }
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (fed !== null) throw fed;
      if (r.exitCode !== 0) throw this.commandError(args.join(' '), r);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------- observation

  async services(): Promise<ServiceStatus[]> {
    // Without a readable config (edited mid-run), still report the containers that exist.
    const model = await this.loadModel().catch(() => null);
    const containers = await this.listContainers();
    const byService = new Map<string, Docker.ContainerInfo[]>();
    for (const c of containers) {
      const svc = c.Labels[SERVICE_LABEL];
      if (svc === undefined) continue;
      byService.set(svc, [...(byService.get(svc) ?? []), c]);
    }
    const wanted = this.opts.services ?? model?.services ?? [...byService.keys()].sort();
    const oneShot = new Set([...(this.opts.oneShot ?? []), ...(model?.oneShot ?? [])]);
    const out: ServiceStatus[] = [];
    for (const svc of wanted) {
      const list = (byService.get(svc) ?? []).sort((a, b) => Number(a.Labels[CONTAINER_NUMBER_LABEL] ?? 0) - Number(b.Labels[CONTAINER_NUMBER_LABEL] ?? 0));
      if (list.length === 0) {
        out.push({ name: svc, state: 'unknown', health: 'none', restartCount: 0, oomKilled: false, exitCode: null, startedAt: null });
        continue;
      }
      for (const c of list) {
        const name = list.length === 1 ? svc : `${svc}-${c.Labels[CONTAINER_NUMBER_LABEL] ?? c.Id.slice(0, 12)}`;
        try {
          const status = toServiceStatus(name, await this.docker.getContainer(c.Id).inspect());
          out.push(oneShot.has(svc) ? { ...status, oneShot: true } : status);
        } catch {
          // Removed between list and inspect: nothing left to observe, so its state is unknown.
          out.push({ name, state: 'unknown', health: 'none', restartCount: 0, oomKilled: false, exitCode: null, startedAt: null });
        }
      }
    }
    return out;
  }

  async watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    return watchComposeProject({ docker: this.docker, project: this.projectName, services: this.opts.services, list: () => this.listContainers(), onEvent, open: this.watchers });
  }

  /**
   * `docker kill` (SIGKILL) of the service's running container. The engine takes it for a stop,
   * not a crash: the die (exit 137) is reported, no policy restart follows.
   */
  async killService(service: string): Promise<void> {
    await this.docker.getContainer(await this.runningContainerId(service)).kill({ signal: 'SIGKILL' });
  }

  // ---------------------------------------------------------------- exec / copy

  async exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
    return execInContainer(this.docker, await this.runningContainerId(service), argv, opts);
  }

  async copyOut(service: string, path: string, dest: string): Promise<CopiedFile> {
    const flavor = await this.compose();
    let r: RunResult;
    if (flavor.kind === 'v2') {
      r = await this.runCompose(['cp', `${service}:${path}`, dest], undefined, true);
    } else {
      // v1 has no `cp`: the docker CLI copies from the container compose created.
      const id = await this.runningContainerId(service, true);
      r = await runGroup(['docker', 'cp', `${id}:${path}`, dest], { cwd: this.projectDir, env: this.env(), capture: true });
    }
    if (r.exitCode !== 0) throw this.commandError(`cp ${service}:${path} ${dest}`, r);
    return copiedFileInfo(this.docker, dest);
  }

  async provenance(): Promise<StackProvenance> {
    const { composeProvenance } = await import('./compose-provenance.js');
    const model = await this.loadModel().catch(() => null);
    const containers = await this.listContainers();
    const services = this.opts.services ?? model?.services ?? [...new Set(containers.map((c) => c.Labels[SERVICE_LABEL] ?? ''))].filter(Boolean).sort();
    return composeProvenance(this.docker, containers, services, await this.compose().catch(() => null));
  }

  /** The third signal: containers are not cheap to stop synchronously; say what is up and how to remove it. */
  abandon(): string[] {
    return [`left the compose project "${this.projectName}" as it is (containers, networks, volumes); remove it with: docker compose -p ${this.projectName} down -v`];
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchers]) stop();
    if (this.overridePath) {
      await rm(join(this.overridePath, '..'), { recursive: true, force: true });
      this.overridePath = null;
    }
  }

  // ---------------------------------------------------------------- internals

  /** The env file when configured and present (DESIGN: COMPOSE_ENV_FILE, `.env` when present). */
  private envFile(): string | undefined {
    if (!this.opts.envFile) return undefined;
    const path = resolve(this.projectDir, this.opts.envFile);
    return existsSync(path) ? path : undefined;
  }

  /**
   * Compose's environment: ours plus the stack's variables, without the empty ones. Compose
   * gives the environment precedence over the env file, an empty value included, so an empty
   * METRICS_TOKEN here would blank the one `.env` sets (and make /metrics public).
   */
  private env(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries({ ...process.env, ...(this.opts.env ?? {}) }).filter(([, value]) => value !== undefined && value !== ''));
  }

  /** `docker compose config` output of the files (JSON for v2, YAML for v1; YAML parses both): the swarm driver deploys it. */
  async configText(): Promise<string> {
    await this.loadModel();
    return this.configOutput;
  }

  /** The compose found (v2 or v1), for drivers building through this one. */
  flavorInUse(): Promise<ComposeFlavor> {
    return this.compose();
  }

  private async compose(): Promise<ComposeFlavor> {
    if (this.flavor) return this.flavor;
    const want = this.opts.compose ?? 'auto';
    const { flavor, tried } = await detectCompose(this.env(), this.projectDir, want);
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

  /** `-p … -f … [--env-file …]`, plus our labelling override once the model is known. */
  private async baseArgs(withOverride: boolean): Promise<string[]> {
    const flavor = await this.compose();
    // No --project-directory: relative paths in the files resolve from the first file's folder, as for the user.
    const args = [...flavor.argv0.slice(1), ...flavor.noAnsi, '-p', this.projectName];
    for (const f of this.opts.files) args.push('-f', resolve(this.projectDir, f));
    if (withOverride) args.push('-f', await this.ensureOverride());
    const envFile = this.envFile();
    if (envFile) args.push('--env-file', envFile);
    return args;
  }

  private async runCompose(args: string[], output: OutputSink | undefined, capture: boolean, signal?: AbortSignal, withOverride = true, stdoutFd?: number): Promise<RunResult> {
    const flavor = await this.compose();
    const full = [...(await this.baseArgs(withOverride)), ...args];
    const r = await runGroup([flavor.argv0[0], ...full], {
      cwd: this.projectDir,
      env: this.env(),
      capture,
      stripAnsi: true,
      ...(output ? { output } : {}),
      ...(signal ? { signal } : {}),
      ...(stdoutFd !== undefined ? { stdoutFd } : {}),
    });
    if (r.spawnError) {
      throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Could not run ${flavor.argv0.join(' ')}: ${r.spawnError.message}`, ENGINE_HINT, r.spawnError);
    }
    return r;
  }

  private async composeOrThrow(args: string[], output: OutputSink, what: string, signal?: AbortSignal): Promise<void> {
    const r = await this.runCompose(args, output, false, signal);
    if (signal?.aborted) throw signal.reason;
    if (r.exitCode !== 0) throw this.commandError(what, r);
  }

  private commandError(what: string, r: RunResult): RgStepError {
    const cmd = `${this.flavor?.argv0.join(' ') ?? 'docker compose'} ${what}`;
    const last = r.tail.at(-1);
    return new RgStepError(`${cmd} exited with ${r.exitCode} (project ${this.projectName})${last ? ` (last: ${last.trim()})` : ''}.`, {
      hint: 'The step log holds the full output.',
    });
  }

  private async loadModel(): Promise<ComposeModel> {
    if (this.model) return this.model;
    const flavor = await this.compose();
    const args = flavor.kind === 'v2' ? ['config', '--format', 'json'] : ['config'];
    const r = await this.runCompose(args, undefined, true, undefined, false);
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

  private async ensureOverride(): Promise<string> {
    if (this.overridePath && existsSync(this.overridePath)) return this.overridePath;
    const model = await this.loadModel();
    const dir = join(tmpdir(), 'release-gate', this.projectName);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'release-gate.override.json');
    await writeFile(file, managedOverride(model));
    this.overridePath = file;
    return file;
  }

  private async listContainers(): Promise<Docker.ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${this.projectName}`] } });
    return list.filter((c) => c.Labels[ONEOFF_LABEL] !== 'True' && c.Labels[CONTAINER_NUMBER_LABEL] !== undefined);
  }

  private async runningContainerId(service: string, anyState = false): Promise<string> {
    const list = (await this.listContainers()).filter((c) => c.Labels[SERVICE_LABEL] === service);
    const pick = list.find((c) => c.State === 'running') ?? (anyState ? list[0] : undefined);
    if (!pick) {
      const states = list.map((c) => c.State).join(', ') || 'no container';
      throw new RgStepError(`Service "${service}" of project ${this.projectName} is not running (${states}).`, {
        hint: 'Check the up and ps logs; `docker compose logs` shows why it stopped.',
      });
    }
    return pick.Id;
  }

  /** Refuses to remove a project holding containers or volumes release-gate did not create. */
  private async refuseForeign(output: OutputSink): Promise<void> {
    const filters = { label: [`${PROJECT_LABEL}=${this.projectName}`] };
    // Containers of another tool started from an image this project built carry its labels too: not compose's, not ours to judge.
    const containers = (await this.docker.listContainers({ all: true, filters })).filter((c) => c.Labels[MANAGED_LABEL] !== 'true' && c.Labels[CONTAINER_NUMBER_LABEL] !== undefined);
    const volumes = ((await this.docker.listVolumes({ filters })).Volumes ?? []).filter((v) => (v.Labels ?? {})[MANAGED_LABEL] !== 'true');
    const model = await this.loadModel().catch(() => null);
    const namesakes = await namesakeVolumes(this.docker, this.projectName, model?.volumes ?? [], PROJECT_LABEL);
    const what = [
      ...containers.map((c) => `container ${(c.Names[0] ?? c.Id).replace(/^\//, '')}`),
      ...volumes.map((v) => `volume ${v.Name}`),
      ...namesakes.map((name) => `volume ${name} (not created by compose for this project)`),
    ];
    refuseForeignObjects(what, { kind: 'Compose project', name: this.projectName, nameSetting: 'stack.project', forceClean: this.opts.forceClean }, output);
  }
}
