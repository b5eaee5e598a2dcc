import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { RgEnvironmentError, RgStepError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { runGroup } from '../../common/process-group.js';
import type { CopiedFile, ExecOptions, LogsOptions, ServiceStatus, StackDriver, StackEvent } from '../../model/stack.js';

export interface ExternalDriverOptions {
  /** What the target is called (`staging`). */
  label?: string;
  services: string[];
  /** Prefix running a command in a service; `{service}` replaced. Absent: no exec. */
  exec?: string[];
  /** Shell-quote the command into one argument (ssh). */
  quote: boolean;
  /** Command printing a service's logs; `{service}` and `{tail}` replaced. Absent: no logs. */
  logs?: string[];
  /** `{tail}` when every line is wanted. */
  allLines: string;
  /** Where the commands run (the project root). */
  cwd: string;
  /** The run's variables (config env + generated secrets), given to the local exec/logs commands. */
  env: Record<string, string>;
}

/** POSIX single quoting: the remote shell sees each argument exactly. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** `{service}` and `{tail}` filled in each argument of a command prefix. */
export function fillPrefix(prefix: readonly string[], values: { service: string; tail?: string }): string[] {
  return prefix.map((arg) => arg.replaceAll('{service}', values.service).replaceAll('{tail}', values.tail ?? ''));
}

/**
 * A deployment the gate did not start. It offers exec and logs through configured commands and
 * nothing else: lifecycle steps never reach it (the runner records them "not applicable"), and it
 * reports no services, so nothing here can make a restart-free green out of nothing.
 */
export class ExternalDriver implements StackDriver {
  readonly name = 'external';

  constructor(private readonly opts: ExternalDriverOptions) {}

  async preflight(output: OutputSink): Promise<void> {
    output.line(`external target${this.opts.label ? ` "${this.opts.label}"` : ''}: already running, not started or stopped by the gate`);
    for (const [what, prefix] of [['exec', this.opts.exec], ['logs', this.opts.logs]] as const) {
      const program = prefix?.[0];
      if (prefix === undefined || program === undefined) {
        output.line(`${what}: none configured (${what} steps are n/a)`);
        continue;
      }
      if (!findProgram(program, this.opts.env['PATH'] ?? process.env['PATH'] ?? '', this.opts.cwd)) {
        throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `external target: the ${what} command "${program}" is not found on PATH`, `Install ${program}, or fix stack.${what} in the config.`);
      }
      output.line(`${what}: ${prefix.join(' ')}`);
    }
  }

  down(): Promise<void> {
    return Promise.reject(notApplicable('down'));
  }

  build(): Promise<void> {
    return Promise.reject(notApplicable('build'));
  }

  up(): Promise<void> {
    return Promise.reject(notApplicable('up'));
  }

  /** Nothing is observable: ps and stability are n/a, and an empty list is never "all ready". */
  async services(): Promise<ServiceStatus[]> {
    return [];
  }

  async watch(_onEvent: (event: StackEvent) => void): Promise<() => void> {
    return () => undefined;
  }

  async exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
    const command = this.execCommand(service, argv);
    const result = await runGroup(command, { cwd: this.opts.cwd, env: this.envWith(opts.env), output: opts.output, signal: opts.signal });
    return { exitCode: result.exitCode };
  }

  /**
   * Through exec: `cat` prints the file, the driver writes it locally; then `stat -c %Y` and
   * `date +%s` in the service give its mtime and the service's clock now (the target's clock may
   * differ from ours). Without them the mtime is unknown, and the report cannot pass.
   */
  async copyOut(service: string, path: string, dest: string): Promise<CopiedFile> {
    const result = await runGroup(this.execCommand(service, ['cat', path]), { cwd: this.opts.cwd, env: this.envWith(), capture: true });
    if (result.exitCode !== 0) throw new RgStepError(`cannot copy ${path} out of ${service} (exit ${result.exitCode}): ${result.tail.slice(-3).join(' | ')}`);
    writeFileSync(dest, result.stdout);
    const seconds = async (argv: string[]): Promise<number | string> => {
      const r = await runGroup(this.execCommand(service, argv), { cwd: this.opts.cwd, env: this.envWith(), capture: true });
      const n = Number(r.stdout.trim());
      return r.exitCode === 0 && Number.isFinite(n) && r.stdout.trim() !== '' ? n : `\`${argv.join(' ')}\` exit ${r.exitCode}: ${r.tail.slice(-1).join('')}`;
    };
    const mtime = await seconds(['stat', '-c', '%Y', path]);
    const now = await seconds(['date', '+%s']);
    if (typeof mtime === 'string' || typeof now === 'string') return { mtime: null, at: new Date(), why: typeof mtime === 'string' ? mtime : String(now) };
    return { mtime: new Date(mtime * 1000), at: new Date(now * 1000) };
  }

  async logs(service: string | undefined, opts: LogsOptions): Promise<void> {
    const prefix = this.opts.logs;
    if (!prefix) {
      // Only incidental callers get here (a failed wait showing the last lines): say so, do not fail them.
      opts.output.line('(no logs: no stack.logs command is configured for this external target)');
      return;
    }
    const services = service ? [service] : this.opts.services;
    for (const name of services) {
      if (services.length > 1) opts.output.line(`--- logs of ${name} ---`);
      const command = fillPrefix(prefix, { service: name, tail: opts.tail === undefined ? this.opts.allLines : String(opts.tail) });
      const result = await runGroup(command, { cwd: this.opts.cwd, env: this.envWith(), output: opts.output, signal: opts.signal });
      if (result.exitCode !== 0) throw new RgStepError(`logs of ${name} failed: ${command.join(' ')} exited ${result.exitCode}`, { hint: 'Check stack.logs of the external target.' });
    }
  }

  async ps(): Promise<string> {
    return `external target${this.opts.label ? ` "${this.opts.label}"` : ''}: services are not observed by the gate (declared: ${this.opts.services.join(', ') || 'none'})`;
  }

  async close(): Promise<void> {}

  private execCommand(service: string, argv: string[]): string[] {
    const prefix = this.opts.exec;
    if (!prefix) throw new RgStepError(`cannot run a command in ${service}: no stack.exec command is configured for this external target`, { hint: 'Add stack.exec, e.g. [kubectl, exec, "deploy/{service}", --].' });
    return [...fillPrefix(prefix, { service }), ...(this.opts.quote ? [shellQuote(argv)] : argv)];
  }

  private envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, ...this.opts.env, ...extra };
  }
}

function notApplicable(what: string): RgStepError {
  return new RgStepError(`${what} is not applicable to an external target: the gate does not start, build or stop it`);
}

/** Whether a program can be started: an executable on PATH, or at a path (relative to where the commands run). */
function findProgram(program: string, path: string, cwd: string): boolean {
  const candidates = program.includes('/') ? [isAbsolute(program) ? program : join(cwd, program)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
