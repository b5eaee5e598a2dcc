import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { scanLines } from './log-scan.js';
import { describeLevel, structuredErrorLevel } from './structured-level.js';

// Real lines, as each library writes them by default (or with its JSON renderer).
const table: { name: string; line: string; level: string | null }[] = [
  // pino: numeric levels, 50 = error, 60 = fatal, 30 = info.
  { name: 'pino error (50)', line: '{"level":50,"time":1733450000000,"pid":7,"hostname":"api-1","err":{"type":"Error","message":"db connection lost"},"msg":"db connection lost"}', level: '"level":50' },
  { name: 'pino fatal (60)', line: '{"level":60,"time":1733450000001,"pid":7,"hostname":"api-1","msg":"cannot bind"}', level: '"level":60' },
  { name: 'pino info (30)', line: '{"level":30,"time":1733450000002,"pid":7,"hostname":"api-1","msg":"listening on 3000"}', level: null },
  { name: 'pino warn (40)', line: '{"level":40,"time":1733450000003,"pid":7,"hostname":"api-1","msg":"slow query"}', level: null },
  // bunyan: the same scale, with name/v fields.
  { name: 'bunyan error (50)', line: '{"name":"api","hostname":"web-1","pid":12,"level":50,"msg":"request failed","time":"2024-12-05T10:00:00.000Z","v":0}', level: '"level":50' },
  { name: 'bunyan info (30)', line: '{"name":"api","hostname":"web-1","pid":12,"level":30,"msg":"started","time":"2024-12-05T10:00:00.000Z","v":0}', level: null },
  // Python structlog JSONRenderer (event + level), python-json-logger (levelname).
  { name: 'structlog error', line: '{"event": "db connection lost", "level": "error", "timestamp": "2024-12-05T10:00:00.123456Z", "logger": "app.db"}', level: '"level":"error"' },
  { name: 'structlog critical', line: '{"event": "out of memory", "level": "critical", "timestamp": "2024-12-05T10:00:01Z"}', level: '"level":"critical"' },
  { name: 'structlog info', line: '{"event": "request handled", "level": "info", "status": 200}', level: null },
  { name: 'python-json-logger ERROR', line: '{"asctime": "2024-12-05 10:00:00,123", "levelname": "ERROR", "name": "django.request", "message": "Internal Server Error: /api/"}', level: '"levelname":"ERROR"' },
  // Go zap (production encoder), zap dpanic, slog JSONHandler, logrus JSONFormatter.
  { name: 'zap error', line: '{"level":"error","ts":1733450000.123,"caller":"db/pool.go:88","msg":"db connection lost","error":"dial tcp 10.0.0.3:5432: connect: connection refused"}', level: '"level":"error"' },
  { name: 'zap dpanic', line: '{"level":"dpanic","ts":1733450000.5,"caller":"main.go:12","msg":"impossible state"}', level: '"level":"dpanic"' },
  { name: 'zap info', line: '{"level":"info","ts":1733450000.123,"caller":"main.go:40","msg":"serving","addr":":8080"}', level: null },
  { name: 'slog ERROR', line: '{"time":"2024-12-05T10:00:00.123456789Z","level":"ERROR","msg":"payment failed","order":42}', level: '"level":"ERROR"' },
  { name: 'slog WARN', line: '{"time":"2024-12-05T10:00:00Z","level":"WARN","msg":"retrying"}', level: null },
  { name: 'logrus fatal', line: '{"level":"fatal","msg":"config missing","time":"2024-12-05T10:00:00Z"}', level: '"level":"fatal"' },
  { name: 'logrus panic', line: '{"level":"panic","msg":"nil map","time":"2024-12-05T10:00:00Z"}', level: '"level":"panic"' },
  // Rails 7.1+/lograge-style JSON and semantic_logger; GCP's severity.
  { name: 'Rails severity ERROR', line: '{"severity":"ERROR","time":"2024-12-05T10:00:00.000+00:00","progname":null,"message":"ActiveRecord::ConnectionNotEstablished"}', level: '"severity":"ERROR"' },
  { name: 'semantic_logger error', line: '{"host":"web-1","application":"Semantic Logger","timestamp":"2024-12-05T10:00:00.000Z","level":"error","level_index":4,"name":"Rails","message":"boom"}', level: '"level":"error"' },
  { name: 'GCP severity CRITICAL', line: '{"severity":"CRITICAL","message":"queue stalled","logging.googleapis.com/trace":"t"}', level: '"severity":"CRITICAL"' },
  { name: 'syslog-style alert / emergency', line: '{"lvl":"Alert","msg":"disk full"}', level: '"lvl":"Alert"' },
  { name: 'emergency, any case', line: '{"Level":"EMERGENCY","msg":"x"}', level: '"Level":"EMERGENCY"' },
  // ECS: flat and nested; Serilog compact; OpenTelemetry.
  { name: 'ECS flat log.level', line: '{"@timestamp":"2024-12-05T10:00:00.000Z","log.level":"error","message":"boom","ecs.version":"1.6.0"}', level: '"log.level":"error"' },
  { name: 'ECS nested log.level', line: '{"@timestamp":"2024-12-05T10:00:00.000Z","log":{"level":"ERROR","logger":"app"},"message":"boom"}', level: '"log.level":"ERROR"' },
  { name: 'Serilog compact @l', line: '{"@t":"2024-12-05T10:00:00.0000000Z","@mt":"Unhandled {Exception}","@l":"Error","Exception":"x"}', level: '"@l":"Error"' },
  { name: 'OpenTelemetry severityText', line: '{"timestamp":"2024-12-05T10:00:00Z","severityText":"FATAL","body":"x"}', level: '"severityText":"FATAL"' },
  // Monolog: the name decides over the number (200 = INFO, 400 = ERROR).
  { name: 'Monolog INFO (level 200) is not an error', line: '{"message":"ok","context":{},"level":200,"level_name":"INFO","channel":"app"}', level: null },
  { name: 'Monolog ERROR (level 400)', line: '{"message":"boom","context":{},"level":400,"level_name":"ERROR","channel":"app"}', level: '"level_name":"ERROR"' },
  // A prefix before the object (compose, a timestamp) is fine.
  { name: 'compose prefix', line: 'api-1  | {"level":"error","msg":"db connection lost"}', level: '"level":"error"' },
  // Not structured errors.
  { name: 'a nested level is not the line\'s level', line: '{"level":"info","msg":"saved","payload":{"level":"error"}}', level: null },
  { name: 'a message mentioning "level":"error" in plain text', line: 'INFO saw text "level":"error" in a request body', level: null },
  { name: 'a truncated JSON line', line: '{"level":"error","msg":"db conn', level: null },
  { name: 'a plain text line', line: '2024-12-05 10:00:00 ERROR boom', level: null },
];

describe('structuredErrorLevel', () => {
  for (const c of table) {
    it(`${c.level ? 'flags' : 'passes'} ${c.name}`, () => {
      const level = structuredErrorLevel(c.line);
      assert.equal(level ? describeLevel(level) : null, c.level);
    });
  }
});

describe('scanLines with structured levels', () => {
  const lines = ['{"level":"info","msg":"up"}', '{"level":"error","msg":"db connection lost"}', '{"severity":"CRITICAL","message":"queue stalled"}', 'plain ERROR line'];

  it('flags JSON error lines by default, beside the patterns, naming the field', () => {
    const result = scanLines(lines, { patterns: ['\\bERROR\\b', 'Traceback'], allow: [] });
    assert.equal(result.count, 3);
    assert.deepEqual(
      result.matches.map((m) => [m.lineNo, m.pattern, m.structured ?? false]),
      [
        [2, '"level":"error"', true],
        [3, '"severity":"CRITICAL"', true],
        [4, '\\bERROR\\b', false],
      ],
    );
  });

  it('reads patterns only when structuredLevels is false', () => {
    assert.equal(scanLines(lines, { patterns: ['\\bERROR\\b'], allow: [], structuredLevels: false }).count, 1);
  });

  it('lets an allow pattern excuse a JSON error line', () => {
    assert.equal(scanLines(lines, { patterns: ['\\bERROR\\b'], allow: ['queue stalled', 'db connection lost'] }).count, 1);
  });
});
