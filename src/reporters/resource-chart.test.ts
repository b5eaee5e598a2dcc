import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult, ServiceResources } from '../model/run-result.js';
import { resourceRows, resourcesSection, sparkline } from './resource-chart.js';

const MiB = 1024 ** 2;
const api: ServiceResources = {
  service: 'api',
  samples: 3,
  memory: { peakBytes: 300 * MiB, meanBytes: 200 * MiB, limitBytes: 512 * MiB },
  cpu: { peakPercent: 80, meanPercent: 40 },
  series: [
    [0, 100 * MiB, null],
    [5, 300 * MiB, 80],
    [10, 200 * MiB, 0],
  ],
};
const result = (resources: ServiceResources[]) => ({ steps: [{ log: '02_resources.log', resources }] }) as unknown as RunResult;

describe('the report’s resources section', () => {
  it('draws memory as a line and CPU dashed, each from 0 to its own peak, across the chart', () => {
    const svg = sparkline(api);
    assert.match(svg, /<polyline fill="none" stroke="#2563eb" points="1\.0,18\.3 80\.0,1\.0 159\.0,9\.7"\/>/);
    // The first sample has no CPU figure: the dashed line starts at the second.
    assert.match(svg, /stroke-dasharray="2 2" points="80\.0,1\.0 159\.0,27\.0"/);
    assert.equal(sparkline({ ...api, series: [[0, MiB, null]] }), '', 'one point draws nothing');
  });

  it('lists peak, mean, limit and CPU per service; escapes what a service is named', () => {
    assert.deepEqual(resourceRows(result([api])), [['api', '300 MiB', '200 MiB', '512 MiB', '40%', '80%', '3']]);
    const html = resourcesSection(result([{ ...api, service: '<img src=x>' }]), (t) => t.replace(/</g, '&lt;'));
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /aria-label="memory and CPU of &#60;img src=x&#62; over the run"/);
    assert.equal(resourcesSection(result([]), (t) => t), '');
  });
});
