#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool } from './db-pool.js';
import { CommandFailure, UsageError } from './errors.js';
import { loadSettings, type Settings } from './settings.js';

// Commands load their modules lazily: `sanity` should not pay for PGlite, ioredis or the HTTP stack.
const USAGE = `Usage: korrigo-lite <command> [options]

Commands:
  db [--port N] [--host H] [--data-dir DIR] [--max-connections N]
                       embedded PostgreSQL (PGlite) over the wire protocol
  serve                HTTP backend (PORT, HOST)
  worker               background job loop
  migrate [--check]    apply migrations; --check exits 1 when any is pending
  seed                 idempotent demo data (users, exam, copies, page images)
  set-password <user> <password>
  sanity               DB sanity report; exits 1 when a READY copy has no pages
  reset-locks          delete all locks, LOCKED copies back to READY
  fingerprint [--data] digest of the kept data (KORRIGO_LITE_DB_SCHEMA: of a restored copy;
                       --data: without the applied migrations, as an upgrade keeps it)
  backup --out FILE    every table's rows, in dependency order
  restore --in FILE --schema NAME
                       recreate NAME (a throwaway schema) from a backup
  drop-schema NAME     drop a restored copy (never public)
  test [--junit FILE]  run the backend's own test suite

Environment: DATABASE_URL PORT HOST MEDIA_ROOT COPIES_PAGE_SIZE METRICS_TOKEN
  ADMIN_PASSWORD TEACHER_PASSWORD REDIS_URL KORRIGO_LITE_FAULT KORRIGO_LITE_STATE_DIR
  KORRIGO_LITE_GENERATION (v1 | current; default v1) KORRIGO_LITE_DB_SCHEMA
  KORRIGO_LITE_RELEASE (v1: the previous release | v2: the candidate; default v2)`;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'], positionals = 0) {
  try {
    const parsed = parseArgs({ args, options: options ?? {}, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length !== positionals) {
      throw new UsageError(`expected ${positionals} argument(s), got ${parsed.positionals.length}`);
    }
    return parsed;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message, { cause: err });
  }
}

function intOption(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name}: expected an integer, got "${String(value)}"`);
  return n;
}

/** Runs fn with a pool and always closes it, so one-shot commands exit promptly. */
async function withPool<T>(settings: Settings, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const { createPool } = await import('./db-pool.js');
  const pool = createPool(settings.databaseUrl, 2);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/** `ignoreTerm` (KORRIGO_LITE_FAULT=ignore-sigterm): SIGTERM is caught and ignored, as by a PID 1 without a handler in some images; SIGINT still stops. */
function onShutdown(stop: () => Promise<void>, ignoreTerm = false): void {
  let stopping = false;
  const handler = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`INFO ${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`ERROR shutdown: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => (ignoreTerm ? log('WARNING SIGTERM ignored (KORRIGO_LITE_FAULT=ignore-sigterm)') : handler('SIGTERM')));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function cmdDb(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string', default: '5432' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string', default: 'pgdata' },
    'max-connections': { type: 'string', default: '32' },
  });
  const { startEmbeddedDb } = await import('./embedded-db.js');
  const db = await startEmbeddedDb({
    host: String(values.host),
    port: intOption(values.port, 'port'),
    dataDir: String(values['data-dir']),
    maxConnections: intOption(values['max-connections'], 'max-connections'),
  });
  log(`INFO embedded PostgreSQL (PGlite) listening, data dir ${String(values['data-dir'])}`);
  print(`DATABASE_URL=${db.url}`);
  onShutdown(() => db.stop());
  return new Promise<number>(() => undefined);
}

async function cmdServe(args: string[]): Promise<number> {
  parse(args, {});
  const settings = loadSettings();
  const { createPool } = await import('./db-pool.js');
  const { createAppServer } = await import('./http/app-server.js');
  const { createLoginThrottle } = await import('./http/login-throttle.js');
  const { MetricsRegistry } = await import('./http/metrics-registry.js');
  const pool = createPool(settings.databaseUrl, 3);
  const throttle = createLoginThrottle(settings.redisUrl);
  const server = createAppServer({ pool, settings, throttle, metrics: new MetricsRegistry(), log });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, resolveListen);
  });
  const faults = [...settings.faults].join(',');
  // The v1 line stays as it always was; only the current generation names itself.
  const generation = settings.generation === 'v1' ? '' : ` (generation: ${settings.generation})`;
  log(
    `INFO korrigo-lite backend listening on http://${settings.host}:${settings.port}${generation}${faults ? ` (faults: ${faults})` : ''}`,
  );
  if (settings.generation === 'current' && settings.metricsToken === undefined) {
    // The current Korrigo's compose file requires METRICS_TOKEN; an empty one closes /metrics instead of opening it.
    log('WARNING METRICS_TOKEN not set in production: /metrics answers 403 to every request');
  }
  // KORRIGO_LITE_CRASH_AFTER_MS: when crash-once/crash-loop strike (default 1 s after start).
  // Docker tests set it past `docker compose up`, which waits for the backend to be healthy.
  const crashAfterMs = Number(process.env['KORRIGO_LITE_CRASH_AFTER_MS'] ?? 1000) || 1000;
  const crash = (reason: string): void => {
    setTimeout(() => {
      log(`ERROR fatal: backend crashed (${reason})`);
      process.exit(1);
    }, crashAfterMs).unref();
  };
  if (settings.faults.has('crash-loop')) crash('KORRIGO_LITE_FAULT=crash-loop');
  if (settings.faults.has('crash-once')) {
    const marker = join(settings.stateDir, 'crash-once.marker');
    if (!existsSync(marker)) {
      await mkdir(settings.stateDir, { recursive: true });
      await writeFile(marker, `crashed at ${new Date().toISOString()}\n`);
      crash(`KORRIGO_LITE_FAULT=crash-once, marker ${marker}`);
    }
  }
  onShutdown(async () => {
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
    await Promise.all([pool.end(), throttle.close()]);
  }, settings.faults.has('ignore-sigterm'));
  return new Promise<number>(() => undefined);
}

async function cmdWorker(args: string[]): Promise<number> {
  parse(args, {});
  const settings = loadSettings();
  const { createPool } = await import('./db-pool.js');
  const { WorkerLoop } = await import('./worker-loop.js');
  const pool = createPool(settings.databaseUrl, 1);
  const controller = new AbortController();
  const pollMs = Number(process.env['WORKER_POLL_MS'] ?? 1000) || 1000;
  const running = new WorkerLoop(pool, settings.mediaRoot, log, pollMs).run(controller.signal);
  onShutdown(async () => {
    controller.abort();
    await running;
    await pool.end();
  });
  await running;
  return 0;
}

async function cmdMigrate(args: string[]): Promise<number> {
  const { values } = parse(args, { check: { type: 'boolean', default: false }, noinput: { type: 'boolean' } });
  const settings = loadSettings();
  const { Migrator } = await import('./migrator.js');
  const { migrationsOf } = await import('./release.js');
  return withPool(settings, async (pool) => {
    const migrator = new Migrator(pool, migrationsOf(settings.release, settings.faults));
    const pending = await migrator.pending();
    if (values.check) {
      if (pending.length === 0) {
        print('No pending migrations.');
        return 0;
      }
      print(`Pending migrations (${pending.length}):`);
      for (const m of pending) print(`  [ ] ${m.version}_${m.name}`);
      // Named like Django's makemigrations --check, so a log reader sees which models are affected.
      print(`model changes without a migration: ${[...new Set(pending.flatMap((m) => m.models))].join(', ')}`);
      return 1;
    }
    if (settings.faults.has('migrate-fail')) {
      throw new CommandFailure(
        `Migration ${pending[0] ? `${pending[0].version}_${pending[0].name}` : 'check'} failed: relation "copies" is locked by a concurrent schema change (KORRIGO_LITE_FAULT=migrate-fail)`,
      );
    }
    // pending-migration fault: "forget" 0003_indexes, like a migration file missing from the image:
    // the one the app runs without (slower), so the gate sees it at the check, not as a crash.
    const toApply = settings.faults.has('pending-migration') ? pending.filter((m) => m.name !== 'indexes') : pending;
    print('Operations to perform: apply all migrations');
    if (toApply.length === 0) print('  No migrations to apply.');
    for (const m of toApply) {
      const applied = await migrator.apply(m);
      print(`  Applying ${m.version}_${m.name}... ${applied ? 'OK' : 'already applied'}`);
    }
    return 0;
  });
}

async function cmdSeed(args: string[]): Promise<number> {
  parse(args, {});
  const settings = loadSettings();
  const { Seeder } = await import('./seeder.js');
  await withPool(settings, (pool) =>
    new Seeder(pool, {
      mediaRoot: settings.mediaRoot,
      adminPassword: process.env['ADMIN_PASSWORD'] || undefined,
      teacherPassword: process.env['TEACHER_PASSWORD'] || undefined,
      faults: settings.faults,
      release: settings.release,
      print,
    }).run(),
  );
  return 0;
}

async function cmdSetPassword(args: string[]): Promise<number> {
  const { positionals } = parse(args, {}, 2);
  const [username, password] = positionals as [string, string];
  if (password === '') throw new UsageError('set-password: the password must not be empty');
  const settings = loadSettings();
  const { hashPassword } = await import('./password-hasher.js');
  return withPool(settings, async (pool) => {
    const result = await pool.query('UPDATE users SET password_hash = $1 WHERE username = $2', [
      await hashPassword(password),
      username,
    ]);
    if (result.rowCount === 0) throw new CommandFailure(`set-password: user "${username}" not found`);
    print(`Password updated for ${username}.`);
    return 0;
  });
}

async function cmdSanity(args: string[]): Promise<number> {
  parse(args, {});
  const { sanityReport } = await import('./sanity-report.js');
  return withPool(loadSettings(), async (pool) => {
    const report = await sanityReport(pool);
    for (const line of report.lines) print(line);
    if (report.emptyReadyCopies > 0) {
      throw new CommandFailure(`sanity: ${report.emptyReadyCopies} READY copy(ies) without pages`);
    }
    return 0;
  });
}

async function cmdResetLocks(args: string[]): Promise<number> {
  parse(args, {});
  const { resetLocks } = await import('./lock-reset.js');
  return withPool(loadSettings(), async (pool) => {
    const { locks, copies } = await resetLocks(pool);
    print(`Deleted ${locks} lock(s); ${copies} copy(ies) back to READY.`);
    return 0;
  });
}

async function cmdFingerprint(args: string[]): Promise<number> {
  // --data: without the applied migrations, what an upgrade must keep while it adds some.
  const { values } = parse(args, { data: { type: 'boolean', default: false } });
  const settings = loadSettings();
  const { computeFingerprint } = await import('./fingerprint.js');
  return withPool(settings, async (pool) => {
    const fp = await computeFingerprint(pool, { release: settings.release, schema: settings.dbSchema, migrations: !values.data });
    for (const [name, count] of Object.entries(fp.counts)) print(`${name}: ${count}`);
    print(`fingerprint: ${fp.digest}`);
    return 0;
  });
}

async function cmdBackup(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } });
  if (values.out === undefined || values.out === '') throw new UsageError('backup: --out FILE is required');
  const settings = loadSettings();
  const { takeBackup } = await import('./backup.js');
  const backup = await withPool(settings, (pool) => takeBackup(pool, settings.dbSchema ?? 'public', settings.faults));
  // Owner-only: the backup holds password hashes.
  await writeFile(String(values.out), JSON.stringify(backup), { mode: 0o600 });
  const rows = backup.tables.reduce((n, t) => n + t.rows.length, 0);
  print(`Backup of ${backup.tables.length} tables (${rows} rows) written to ${String(values.out)}: ${backup.tables.map((t) => t.name).join(', ')}`);
  return 0;
}

async function cmdRestore(args: string[]): Promise<number> {
  const { values } = parse(args, { in: { type: 'string' }, schema: { type: 'string' } });
  if (values.in === undefined || values.schema === undefined) throw new UsageError('restore: --in FILE and --schema NAME are required');
  const { checkSchemaName } = await import('./schema-name.js');
  const schema = checkSchemaName(String(values.schema), 'restore --schema');
  const { readFile } = await import('node:fs/promises');
  const { parseBackup, restoreBackup } = await import('./backup.js');
  const backup = parseBackup(await readFile(String(values.in), 'utf8'), String(values.in));
  const restored = await withPool(loadSettings(), (pool) => restoreBackup(pool, backup, schema));
  print(`Restored ${restored.tables} tables (${restored.rows} rows) into schema ${schema}.`);
  return 0;
}

async function cmdDropSchema(args: string[]): Promise<number> {
  const { positionals } = parse(args, {}, 1);
  const { checkSchemaName } = await import('./schema-name.js');
  const schema = checkSchemaName(positionals[0] as string, 'drop-schema');
  const { dropSchema } = await import('./backup.js');
  const existed = await withPool(loadSettings(), (pool) => dropSchema(pool, schema));
  print(existed ? `Dropped schema ${schema}.` : `No schema ${schema} to drop.`);
  return 0;
}

async function cmdTest(args: string[]): Promise<number> {
  const { values } = parse(args, { junit: { type: 'string' } });
  loadSettings(); // validates the environment (e.g. fault names) before running anything
  const { runSelftest } = await import('./selftest-runner.js');
  const summary = await runSelftest(values.junit === undefined ? undefined : String(values.junit), print);
  return summary.exitCode;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  db: cmdDb,
  serve: cmdServe,
  worker: cmdWorker,
  migrate: cmdMigrate,
  seed: cmdSeed,
  'set-password': cmdSetPassword,
  sanity: cmdSanity,
  'reset-locks': cmdResetLocks,
  fingerprint: cmdFingerprint,
  backup: cmdBackup,
  restore: cmdRestore,
  'drop-schema': cmdDropSchema,
  test: cmdTest,
};

/** Hides the password of a connection string in error messages. */
function redactUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    print(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`korrigo-lite: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`korrigo-lite ${name}: ${err.message}\nRun "korrigo-lite --help" for usage.`);
      return 2;
    }
    const message = redactUrl((err as Error).message);
    if (err instanceof CommandFailure) console.error(`ERROR ${message}`);
    else console.error(`ERROR korrigo-lite ${name}: ${message} (DATABASE_URL=${redactUrl(loadSettingsSafe())})`);
    return 1;
  }
}

function loadSettingsSafe(): string {
  return process.env['DATABASE_URL'] || '(default)';
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
