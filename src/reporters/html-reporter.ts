import { formatDuration } from '../common/duration.js';
import type { RunResult } from '../model/run-result.js';
import { criteriaCount, criterionMark, oneLine, statusLabel, stoppedLine, targetLine, verdictLabel, type Reporter } from './reporter.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A relative link to an artifact; anything that is not a plain file name stays text. */
function artifactLink(name: string): string {
  if (!/^[^/\\:]+$/.test(name) || name.startsWith('.')) return escapeHtml(name);
  return `<a href="${escapeHtml(encodeURIComponent(name))}">${escapeHtml(name)}</a>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1f2328}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.passed{color:#1a7f37}.failed,.interrupted{color:#cf222e}.not-run{color:#6e7781}
.verdict{font-size:1.2rem;font-weight:600;padding:.5rem .8rem;border-radius:6px;display:inline-block}
.verdict.passed{background:#dafbe1}.verdict.partial{background:#fff8c5}.verdict.failed,.verdict.interrupted,.verdict.timedout{background:#ffebe9}
code{font-family:ui-monospace,monospace}`;

/** `report.html`: one self-contained page (inline CSS, no script), every value escaped. */
export class HtmlReporter implements Reporter {
  readonly name = 'html' as const;
  readonly fileName = 'report.html';

  render(result: RunResult): string {
    const e = (s: string): string => escapeHtml(oneLine(s));
    const stopped = stoppedLine(result);
    const criteria = result.criteria
      .map(
        (c) =>
          `<tr class="${c.notApplicable || c.notSelected ? 'not-run' : c.passed ? 'passed' : 'failed'}"><td>${criterionMark(c)}</td><td>${e(c.title)}</td><td>${e(c.detail)}</td><td>${c.logs.map(artifactLink).join(', ')}</td></tr>`,
      )
      .join('\n');
    const steps = result.steps
      .map(
        (s) =>
          `<tr class="${e(s.status)}"><td>${e(s.phase)}</td><td>${artifactLink(s.log)}</td><td>${e(s.title)}</td><td>${e(statusLabel(s.status))}</td><td>${s.durationMs === undefined ? '-' : e(formatDuration(s.durationMs))}</td><td>${s.exitCode ?? '-'}</td><td>${e(s.detail)}</td></tr>`,
      )
      .join('\n');
    const counts = Object.keys(result.counts)
      .sort()
      .map((k) => `<tr><td><code>${e(k)}</code></td><td>${result.counts[k]}</td></tr>`)
      .join('\n');
    const title = `${result.tool.name}: ${verdictLabel(result)}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(result.tool.name)} validation report</h1>
<p class="verdict ${e(result.verdict)}${result.complete === false ? ' partial' : ''}">GATE ${e(verdictLabel(result))} — ${e(criteriaCount(result))}</p>
${stopped ? `<p class="failed">${e(stopped)}</p>\n` : ''}${targetLine(result) ? `<p>${e(targetLine(result) as string)}</p>\n` : ''}<table>
<tr><th>Config</th><td><code>${e(result.config)}</code></td></tr>
<tr><th>Log dir</th><td><code>${e(result.logDir)}</code></td></tr>
<tr><th>Tool</th><td>${e(`${result.tool.name} ${result.tool.version}`)}</td></tr>
<tr><th>Started</th><td>${e(result.startedAt)}</td></tr>
<tr><th>Ended</th><td>${e(result.endedAt)}</td></tr>
<tr><th>Duration</th><td>${e(formatDuration(result.durationMs))}</td></tr>
</table>
<h2>Criteria</h2>
<table>
<tr><th></th><th>Criterion</th><th>Detail</th><th>Evidence</th></tr>
${criteria}
</table>
${counts ? `<h2>Counts</h2>\n<table>\n${counts}\n</table>\n` : ''}<h2>Steps</h2>
<table>
<tr><th>Phase</th><th>Log</th><th>Title</th><th>Status</th><th>Duration</th><th>Exit</th><th>Detail</th></tr>
${steps}
</table>
<h2>Artifacts</h2>
<ul>
${result.artifacts.map((a) => `<li>${artifactLink(a)}</li>`).join('\n')}
</ul>
</body>
</html>
`;
  }
}

export const htmlReporter = new HtmlReporter();
