/**
 * Recognises a JSON log line whose level says error or worse (pino, bunyan, structlog, zap,
 * slog, logrus, Rails, GCP, ECS, Serilog, OpenTelemetry…), whatever the scan's patterns: most
 * current web stacks log JSON, and `\bERROR\b` never matches `"level":"error"`.
 *
 * The capture streams every line through here, so a line is parsed only after one regex has
 * seen a level field with an error-like value in it: an info line costs one failed regex test.
 */

/** Level names that mean error or worse (syslog, zap's dpanic, short forms), lower case. */
const ERROR_NAMES = new Set(['err', 'error', 'crit', 'critical', 'fatal', 'panic', 'dpanic', 'alert', 'emerg', 'emergency', 'severe']);

/** Field names that carry a level name or number, lower case (`log.level` flat = ECS). */
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'log.level', 'levelname', 'level_name', 'loglevel', 'log_level', 'severitytext', '@l', '@level'];

/** Pino and bunyan: 50 = error, 60 = fatal. */
const NUMERIC_ERROR = 50;

/**
 * Cheap filter: some level key, then `:`, then an error-like name or a number ≥ 50. Nested or
 * not, the parse below decides; this only spares the parse on every other line.
 */
const CANDIDATE =
  /"@?(?:log\.)?(?:level|severity|lvl|levelname|level_name|loglevel|log_level|severitytext|l)"\s*:\s*(?:"\s*(?:err|error|crit|critical|fatal|panic|dpanic|alert|emerg|emergency|severe)\s*"|[5-9]\d|[1-9]\d{2,})/i;

/** What made a line an error: the field and its value as logged, e.g. `"severity":"CRITICAL"`. */
export interface StructuredLevel {
  field: string;
  value: string | number;
}

/**
 * The error level of a JSON log line, or null. The JSON object may follow a prefix (compose's
 * `backend-1  | `, a timestamp). A named level decides over a number (Monolog writes
 * `"level":400,"level_name":"INFO"`… and `"level":200` for info, which ≥ 50 would flag).
 */
export function structuredErrorLevel(line: string): StructuredLevel | null {
  const start = line.indexOf('{');
  if (start < 0 || !CANDIDATE.test(line)) return null;
  const end = line.lastIndexOf('}');
  if (end < start) return null;
  let record: unknown;
  try {
    record = JSON.parse(line.slice(start, end + 1));
  } catch {
    // Not one JSON object (a truncated line, JSON inside a message): not a structured line.
    return null;
  }
  if (!isObject(record)) return null;
  const fields = levelFields(record);
  const named = fields.filter((f) => typeof f.value === 'string');
  if (named.length > 0) return named.find((f) => ERROR_NAMES.has(String(f.value).trim().toLowerCase())) ?? null;
  return fields.find((f) => typeof f.value === 'number' && f.value >= NUMERIC_ERROR) ?? null;
}

/** The level fields of a record: top-level keys (any case), and ECS's nested `log: { level }`. */
function levelFields(record: Record<string, unknown>): StructuredLevel[] {
  const out: StructuredLevel[] = [];
  for (const [key, value] of Object.entries(record)) {
    if ((typeof value === 'string' || typeof value === 'number') && LEVEL_KEYS.includes(key.toLowerCase())) out.push({ field: key, value });
  }
  const log = record['log'];
  if (isObject(log) && (typeof log['level'] === 'string' || typeof log['level'] === 'number')) out.push({ field: 'log.level', value: log['level'] });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"severity":"CRITICAL"`: how a match names what it saw. */
export function describeLevel(level: StructuredLevel): string {
  return `"${level.field}":${JSON.stringify(level.value)}`;
}
