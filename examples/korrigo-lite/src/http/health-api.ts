import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { RequestContext } from './request-context.js';

async function databaseUp(ctx: RequestContext): Promise<boolean> {
  try {
    await ctx.deps.pool.query('SELECT 1');
    ctx.deps.metrics.setDbUp(true);
    return true;
  } catch {
    // The outcome is the evidence here: the probe reports "unavailable" rather than the driver's message.
    ctx.deps.metrics.setDbUp(false);
    return false;
  }
}

function faulty(ctx: RequestContext): boolean {
  if (!ctx.deps.settings.faults.has('health-503')) return false;
  ctx.json(503, { status: 'unhealthy', detail: 'Service unavailable.' });
  return true;
}

/** GET /api/health/: the database answers. */
export async function health(ctx: RequestContext): Promise<void> {
  if (faulty(ctx)) return;
  const up = await databaseUp(ctx);
  ctx.json(up ? 200 : 503, { status: up ? 'ok' : 'unhealthy', database: up ? 'ok' : 'unavailable' });
}

/** GET /api/health/live/: the process serves HTTP. */
export async function live(ctx: RequestContext): Promise<void> {
  if (faulty(ctx)) return;
  ctx.json(200, { status: 'ok' });
}

/** GET /api/health/ready/: database, cache and media folder all usable. */
export async function ready(ctx: RequestContext): Promise<void> {
  if (faulty(ctx)) return;
  const checks: Record<string, string> = {};
  checks['database'] = (await databaseUp(ctx)) ? 'ok' : 'unavailable';
  checks['cache'] = await ctx.deps.throttle.ping().then(
    (backend) => `ok (${backend})`,
    () => 'unavailable',
  );
  checks['media'] = await access(ctx.deps.settings.mediaRoot, constants.W_OK).then(
    () => 'ok',
    () => 'unavailable',
  );
  const ok = Object.values(checks).every((v) => v.startsWith('ok'));
  ctx.json(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks });
}

function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What /metrics answers in the current generation when METRICS_TOKEN is empty (403 to everybody). */
export const METRICS_TOKEN_UNSET_BODY = 'Forbidden: METRICS_TOKEN not set in production\n';

/**
 * GET /metrics: Prometheus text; METRICS_TOKEN, when set, is required as header or ?token=.
 * Without METRICS_TOKEN, v1 serves it publicly and the current generation refuses everybody.
 */
export async function metrics(ctx: RequestContext): Promise<void> {
  const { settings } = ctx.deps;
  const token = settings.metricsToken;
  if (token === undefined && settings.generation === 'current') {
    ctx.text(403, METRICS_TOKEN_UNSET_BODY);
    return;
  }
  const given = ctx.header('x-metrics-token') ?? ctx.url.searchParams.get('token');
  // metrics-public: the token is accepted but never required (the misconfiguration selftest's live run must catch).
  const required = token !== undefined && !settings.faults.has('metrics-public');
  if (settings.faults.has('metrics-forbidden') || (required && !tokenMatches(given, token))) {
    ctx.text(403, 'Forbidden\n');
    return;
  }
  await databaseUp(ctx);
  ctx.text(200, ctx.deps.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
}
