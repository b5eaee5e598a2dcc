import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RgConfigError } from '../common/errors.js';
import { E2E_EXAMPLE_YAML } from './e2e-example.fixture.js';
import { formatIssuePath, scenarioSchema, type ScenarioConfig } from './scenario-schema.js';

/** The scenario as the config loader validates it: every problem with its path. */
function parseScenario(input: unknown): ScenarioConfig {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  throw new RgConfigError(result.error.issues.map((issue) => ({ where: formatIssuePath(issue.path), message: issue.message })));
}

const minimal = { each: [{ name: 'ping', request: { url: '/ping' } }] };

function issuesOf(input: unknown): { where: string; message: string }[] {
  try {
    parseScenario(input);
  } catch (err) {
    if (err instanceof RgConfigError) return err.issues;
    throw err;
  }
  return assert.fail('expected the scenario to be rejected');
}

describe('scenarioSchema', () => {
  it('accepts the reference E2E workflow as written in the example', () => {
    const config = parseScenario(parseYaml(E2E_EXAMPLE_YAML));
    assert.equal(config.runs, 3);
    assert.deepEqual(config.each.map((s) => s.name), ['ready-copy', 'lock', 'annotate', 'list-annotations']);
    assert.deepEqual(config.finally.map((s) => s.name), ['release', 'reset']);
    assert.equal(config.each[0]?.paginate?.maxPages, 100);
  });

  it('fills defaults: title E2E, one run, 30s timeout, GET, empty setup/finally/teardown', () => {
    const config = parseScenario(minimal);
    assert.equal(config.title, 'E2E');
    assert.equal(config.runs, 1);
    assert.equal(config.defaults.timeout, 30_000);
    assert.equal(config.each[0]?.request?.method, 'GET');
    assert.deepEqual([config.setup, config.finally, config.teardown], [[], [], []]);
  });

  it('accepts a latency budget on a step and in defaults', () => {
    const config = parseScenario({ defaults: { latency: { max: '2s' } }, each: [{ name: 'ping', request: { url: '/ping' }, latency: { p95: '300ms', p50: 0.1 } }] });
    // Read once at load, into ms: 0.1 is seconds.
    assert.deepEqual(config.each[0]?.latency, { p95: 300, p50: 100 });
    assert.deepEqual(config.defaults.latency, { max: 2000 });
  });

  const badLatency: [string, unknown, string, RegExp][] = [
    ['an empty budget', {}, 'each[0].latency', /at least one of p50, p95, max/],
    ['a budget that is not a duration', { p95: 'fast' }, 'each[0].latency.p95', /duration/],
    ['an unknown statistic', { p99: '1s' }, 'each[0].latency', /p99/],
  ];
  for (const [name, latency, where, message] of badLatency) {
    it(`rejects ${name} with its path`, () => {
      const issues = issuesOf({ each: [{ name: 'ping', request: { url: '/ping' }, latency }] });
      assert.ok(issues.some((i) => i.where === where && message.test(i.message)), JSON.stringify(issues));
    });
  }

  it('exports a JSON Schema with field descriptions', () => {
    // As configJsonSchema writes it: the input a user writes (durations are read into ms at load).
    const schema = z.toJSONSchema(scenarioSchema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
    assert.match(schema.properties.runs?.description ?? '', /each/);
    assert.ok(schema.properties.finally?.description);
  });

  const cases: { name: string; input: unknown; where: string; message: RegExp }[] = [
    { name: 'a missing each', input: {}, where: 'each', message: /./ },
    { name: 'zero runs', input: { ...minimal, runs: 0 }, where: 'runs', message: />=1|too small/i },
    { name: 'an unknown method', input: { each: [{ name: 'a', request: { method: 'FETCH', url: '/' } }] }, where: 'each[0].request.method', message: /GET/ },
    { name: 'a misspelt key', input: { each: [{ name: 'a', request: { url: '/' }, expcet: {} }] }, where: 'each[0]', message: /expcet/ },
    { name: 'a step with neither request nor exec', input: { each: [{ name: 'a' }] }, where: 'each[0]', message: /exactly one of request or exec/ },
    { name: 'a step with both', input: { each: [{ name: 'a', request: { url: '/' }, exec: { service: 's', run: ['x'] } }] }, where: 'each[0]', message: /exactly one/ },
    { name: 'capture on an exec step', input: { each: [{ name: 'a', exec: { service: 's', run: ['x'] }, capture: { x: '$.x' } }] }, where: 'each[0].capture', message: /request steps only/ },
    { name: 'a bad duration', input: { ...minimal, defaults: { timeout: 'soon' } }, where: 'defaults.timeout', message: /duration/ },
    { name: 'a status out of range', input: { each: [{ name: 'a', request: { url: '/' }, expect: { status: [200, 999] } }] }, where: 'each[0].expect.status[1]', message: /599/ },
    { name: 'an assertion without operator', input: { each: [{ name: 'a', request: { url: '/' }, assert: [{ path: '$.x' }] }] }, where: 'each[0].assert[0]', message: /at least one of/ },
    { name: 'a capture shadowing run', input: { each: [{ name: 'a', request: { url: '/' }, capture: { run: '$.x' } }] }, where: 'each[0].capture.run', message: /not be one of/ },
    { name: 'a misspelt capture in a url', input: { each: [{ name: 'a', request: { url: '/' }, capture: { copy: '$.id' } }, { name: 'b', request: { url: '/c/{{cpy}}/' } }] }, where: 'each[1].request.url', message: /unknown template variable "cpy" in step b/ },
    { name: 'a capture used before it is made', input: { each: [{ name: 'a', request: { url: '/{{copy}}' } }, { name: 'b', request: { url: '/' }, capture: { copy: '$.id' } }] }, where: 'each[0].request.url', message: /does not run before/ },
    { name: '{{run}} in setup', input: { setup: [{ name: 's', request: { url: '/', json: { n: '{{run}}' } } }], ...minimal }, where: 'setup[0].request.json', message: /each and finally steps only/ },
    { name: 'an unknown name in defaults', input: { ...minimal, defaults: { unsafeHeaders: { 'X-CSRFToken': '{{csrf}}' } } }, where: 'defaults.unsafeHeaders', message: /"csrf"/ },
    { name: 'a duplicate step name', input: { setup: [{ name: 'a', request: { url: '/' } }], each: [{ name: 'a', request: { url: '/' } }] }, where: 'each[0].name', message: /duplicate step name "a" \(also setup\[0\]\)/ },
    { name: 'an unknown if name', input: { each: [{ name: 'a', request: { url: '/' } }], finally: [{ name: 'f', if: 'lockTokn', request: { url: '/' } }] }, where: 'finally[0].if', message: /lockTokn/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} at ${c.where}`, () => {
      const issues = issuesOf(c.input);
      const issue = issues.find((i) => i.where === c.where);
      assert.ok(issue, `no issue at ${c.where}; got ${JSON.stringify(issues)}`);
      assert.match(issue?.message ?? '', c.message);
    });
  }

  it('lists every problem at once', () => {
    const issues = issuesOf({ runs: 0, each: [{ name: 'a', request: { method: 'FETCH', url: '/' } }] });
    assert.deepEqual(issues.map((i) => i.where).sort(), ['each[0].request.method', 'runs']);
  });

  it('accepts captures of each in finally, and env/cookie/baseUrl anywhere', () => {
    assert.doesNotThrow(() =>
      parseScenario({
        setup: [{ name: 's', request: { url: '{{baseUrl}}/x', headers: { A: '{{env.X}} {{cookie.c}}' } } }],
        each: [{ name: 'a', request: { url: '/' }, capture: { t: '$.t' } }],
        finally: [{ name: 'f', if: 't', request: { url: '/{{t}}/{{run}}/{{runs}}' } }],
      }),
    );
  });
});
