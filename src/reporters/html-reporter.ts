import { formatDuration } from '../common/duration.js';
import type { CriterionResult, RunResult, StepResult } from '../model/run-result.js';
import { curlCommand } from './curl-command.js';
import { resourcesSection } from './resource-chart.js';
import { criteriaCount, IMAGES_HEADER, imageRows, LATENCY_HEADER, latencyRows, oneLine, statusLabel, stoppedLine, targetLine, verdictLabel, type Reporter } from './reporter.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

type Icon = 'pass' | 'fail' | 'skip' | 'stop';

/*
 * Icons are inline SVG symbols, not ✅/❌ characters: those render as empty boxes on a machine
 * without an emoji font (a CI runner, a server's browser). Each use carries a text label.
 */
const ICONS = `<svg class="sprite" aria-hidden="true">
<symbol id="rg-pass" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#1a7f37"/><path d="M4.5 8.3l2.3 2.3 4.7-5" fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></symbol>
<symbol id="rg-fail" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#cf222e"/><path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/></symbol>
<symbol id="rg-skip" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#8c959f"/><path d="M4.8 8h6.4" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/></symbol>
<symbol id="rg-stop" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#bf8700"/><rect x="5.3" y="5.3" width="5.4" height="5.4" rx=".6" fill="#fff"/></symbol>
</svg>`;
const ICON_LABELS: Record<Icon, string> = { pass: 'passed', fail: 'failed', skip: 'not run', stop: 'stopped' };

function icon(kind: Icon, label = ICON_LABELS[kind]): string {
  return `<svg class="icon ${kind}" role="img" aria-label="${escapeHtml(label)}"><use href="#rg-${kind}"/></svg>`;
}

function stepIcon(step: StepResult): string {
  if (step.status === 'passed') return icon('pass');
  if (step.status === 'failed') return icon('fail');
  if (step.status === 'not-run') return icon('skip');
  return icon('stop', step.status);
}

function criterionIcon(c: CriterionResult): string {
  return c.notApplicable ? icon('skip', 'not applicable') : c.notSelected ? icon('skip', 'not selected') : c.notJudged ? icon('skip', 'not judged') : c.passed ? icon('pass') : icon('fail');
}

/** One line of run text, escaped, with the ✅/❌ it may hold drawn as icons. */
function text(s: string): string {
  return escapeHtml(oneLine(s)).replaceAll('✅', icon('pass')).replaceAll('❌', icon('fail'));
}

/** A relative link to an artifact the run wrote; a name it did not write stays text (no broken link). */
function artifactLink(name: string, written: ReadonlySet<string>): string {
  const plain = /^[^/\\:]+$/.test(name) && !name.startsWith('.');
  if (!plain) return escapeHtml(name);
  if (!written.has(name)) return `<span class="missing" title="not written by this run">${escapeHtml(name)}</span>`;
  return `<a href="${escapeHtml(encodeURIComponent(name))}">${escapeHtml(name)}</a>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1f2328;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.8rem}h3{font-size:1rem;margin:.2rem 0 .4rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.passed{color:#1a7f37}.failed,.interrupted,.timedout{color:#cf222e}.not-run{color:#6e7781}
td.passed,td.failed,td.not-run,td.interrupted,td.timedout{font-weight:600}
.verdict{font-size:1.2rem;font-weight:600;padding:.5rem .8rem;border-radius:6px;display:inline-flex;align-items:center;gap:.5rem}
.verdict::before{content:"";width:.8em;height:.8em;border-radius:50%;background:#cf222e;flex:none}.verdict.passed::before{background:#1a7f37}.verdict.passed.partial::before{background:#bf8700}
.verdict.passed{background:#dafbe1}.verdict.passed.partial{background:#fff8c5}.verdict.failed,.verdict.interrupted,.verdict.timedout{background:#ffebe9}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-height:24rem}
.sprite{display:none}.icon{width:1em;height:1em;vertical-align:-.15em;flex:none}
.missing{color:#6e7781;text-decoration:line-through dotted}
.timeline{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0 1.5rem}
.tl-row{display:grid;grid-template-columns:16rem 1fr 5rem;gap:.6rem;align-items:center;min-height:1.5rem}
.tl-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;display:flex;gap:.35rem;align-items:center}
.tl-phase{color:#6e7781;font-size:12px;width:2.5rem;flex:none}
.tl-track{position:relative;height:.9rem;background:#f6f8fa;border-radius:3px}
.tl-bar{position:absolute;top:0;bottom:0;border-radius:3px;min-width:2px;background:#1a7f37}
.tl-bar.failed,.tl-bar.timedout,.tl-bar.interrupted{background:#cf222e}
.tl-bar.span{background:repeating-linear-gradient(45deg,#4c9a60 0 6px,#8fd19e 6px 12px)}
.tl-bar.span.failed{background:repeating-linear-gradient(45deg,#cf222e 0 6px,#ff9492 6px 12px)}
.tl-dur{text-align:right;color:#57606a;font-variant-numeric:tabular-nums}
.tl-axis{display:grid;grid-template-columns:16rem 1fr 5rem;gap:.6rem;color:#6e7781;font-size:12px}
.tl-ticks{position:relative;height:1.1rem}.tl-ticks span{position:absolute;transform:translateX(-50%)}
.tl-ticks span:first-child{transform:none}.tl-ticks span:last-child{transform:translateX(-100%)}
.failure{border:1px solid #ff8182;border-left-width:4px;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0 1rem}`;

/** A timestamp as ms since the epoch, or null when absent or unreadable. */
function at(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Every step on one time axis, as CSS bars (no script). A step whose span holds later steps'
 * starts (the stability watch, which runs from its step to the end of the run) is hatched.
 */
function timeline(result: RunResult, written: ReadonlySet<string>): string {
  const start = at(result.startedAt);
  const end = at(result.endedAt);
  if (start === null || end === null) return '<p>No timestamps: the run recorded no timeline.</p>';
  const spans = result.steps.map((s) => ({ s, from: at(s.startedAt), to: at(s.endedAt) }));
  const last = Math.max(end, ...spans.map((x) => x.to ?? 0));
  const total = Math.max(1, last - start);
  const pct = (ms: number): string => `${(Math.min(100, Math.max(0, (ms / total) * 100))).toFixed(2)}%`;
  const rows = spans.map(({ s, from, to }) => {
    const label = `<span class="tl-label"><span class="tl-phase">${escapeHtml(s.phase)}</span>${stepIcon(s)}${artifactLink(s.log, written)}</span>`;
    if (from === null || to === null) {
      return `<div class="tl-row not-run" data-step="${escapeHtml(s.id)}">${label}<span class="tl-track"></span><span class="tl-dur">not run</span></div>`;
    }
    const spanning = spans.some((o) => o.s !== s && o.from !== null && o.from > from && o.from < to);
    const title = `${s.title}: ${s.startedAt} → ${s.endedAt} (${formatDuration(to - from)})${spanning ? ', watching while later steps ran' : ''}`;
    const bar = `<span class="tl-bar ${escapeHtml(s.status)}${spanning ? ' span' : ''}" style="left:${pct(from - start)};width:${pct(to - from)}" title="${escapeHtml(oneLine(title))}"></span>`;
    return `<div class="tl-row" data-step="${escapeHtml(s.id)}">${label}<span class="tl-track">${bar}</span><span class="tl-dur">${escapeHtml(formatDuration(to - from))}</span></div>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<span style="left:${(f * 100).toFixed(0)}%">+${escapeHtml(formatDuration(Math.round(total * f)))}</span>`).join('');
  return `<div class="timeline" id="timeline">\n${rows.join('\n')}\n<div class="tl-axis"><span></span><span class="tl-ticks">${ticks}</span><span></span></div>\n</div>`;
}


/** What failed, with the evidence at hand: the last HTTP answer and a curl command to replay it. */
function failures(result: RunResult, written: ReadonlySet<string>): string {
  const failed = result.steps.filter((s) => s.status === 'failed' || s.status === 'timedout' || s.status === 'interrupted');
  if (failed.length === 0) return '';
  const cards = failed.map((s) => {
    const out = [`<div class="failure" data-step="${escapeHtml(s.id)}">`, `<h3>${stepIcon(s)} ${text(s.title)} — ${artifactLink(s.log, written)}</h3>`, `<p>${text(s.detail)}</p>`];
    const h = s.http;
    if (h) {
      const got = h.status === undefined ? `no answer${h.problem ? ` (${h.problem})` : ''}` : `${h.status}${h.contentType ? ` ${h.contentType}` : ''}${h.problem ? ` — ${h.problem}` : ''}`;
      out.push(
        '<table>',
        `<tr><th>Request</th><td><code>${text(`${h.method} ${h.url}`)}</code>${h.from ? ` from inside <code>${text(h.from)}</code>` : ''}${h.scenarioStep ? ` (scenario step <code>${text(h.scenarioStep)}</code>)` : ''}</td></tr>`,
        `<tr><th>Expected</th><td>${text(h.expected.join(' | ') || '2xx')}</td></tr>`,
        `<tr><th>Last answer</th><td>${text(got)}</td></tr>`,
        '</table>',
      );
      if (h.bodyExcerpt !== undefined) out.push('<p>Response body (start, redacted):</p>', `<pre class="body">${escapeHtml(h.bodyExcerpt) || '(empty)'}</pre>`);
      // A scenario's request carries its session (cookies, CSRF): a bare curl would not replay it.
      if (!h.scenarioStep) out.push('<p>Replay (secrets are read from your environment):</p>', `<pre class="curl">${escapeHtml(curlCommand(h))}</pre>`);
    }
    out.push('</div>');
    return out.join('\n');
  });
  return `<section id="failures">\n<h2>What failed</h2>\n${cards.join('\n')}\n</section>\n`;
}

/** The selftest table (after `release-gate selftest`): criterion → mutation → caught / MISSED. */
function selftestSection(result: RunResult, written: ReadonlySet<string>): string {
  const t = result.selftest;
  if (!t) return '';
  const rows = t.rows
    .map(
      (r) =>
        `<tr class="${r.result === 'caught' ? 'passed' : r.result === 'MISSED' ? 'failed' : 'not-run'}"><td>${icon(r.result === 'caught' ? 'pass' : r.result === 'MISSED' ? 'fail' : 'skip', r.result)}</td><td>${text(r.title)}</td><td>${r.live ? '<strong>live</strong> ' : ''}${text(r.mutation)}${r.exitCodeOnly ? ' <em>(exit code only)</em>' : ''}</td><td>${r.live ? text(r.log) : artifactLink(r.log, written)}</td><td>${escapeHtml(r.result)}</td><td>${text(r.detail)}</td></tr>`,
    )
    .join('\n');
  const vacuous = t.vacuous.map((v) => `<li>${text(v.title)}: ${text(v.why)}</li>`).join('\n');
  const live = t.live
    ? `<p>Live run (one extra run on the same stack, <code>${text(t.live.logDir)}</code>): ${text(t.live.kill)}; ${t.live.leftovers.length === 0 ? 'nothing left running after it' : `left running: ${text(t.live.leftovers.join(', '))}`}.</p>\n`
    : '';
  return `<section id="selftest">
<h2>Selftest</h2>
${t.stopped !== undefined ? `<p class="failed">SELFTEST STOPPED: the healthy run did not pass: ${text(t.stopped)}; no defect was injected</p>` : `<p class="${t.passed ? 'passed' : 'failed'}">SELFTEST ${t.passed ? 'PASSED' : 'FAILED'}: ${t.caught}/${t.total} criteria caught</p>`}
${live}<table>
<tr><th></th><th>Criterion</th><th>Mutation</th><th>Step</th><th>Result</th><th>Verdict</th></tr>
${rows}
</table>
${vacuous ? `<ul class="failed">\n${vacuous}\n</ul>\n` : ''}</section>
`;
}

/** `report.html`: one self-contained page (inline CSS and SVG, no script), every value escaped. */
export class HtmlReporter implements Reporter {
  readonly name = 'html' as const;
  readonly fileName = 'report.html';

  render(result: RunResult): string {
    const e = (s: string): string => escapeHtml(oneLine(s));
    const written = new Set(result.artifacts);
    const stopped = stoppedLine(result);
    const criteria = result.criteria
      .map(
        (c) =>
          `<tr class="${c.notApplicable || c.notSelected || c.notJudged ? 'not-run' : c.passed ? 'passed' : 'failed'}"><td>${criterionIcon(c)}</td><td>${text(c.title)}</td><td>${text(c.detail)}</td><td>${c.logs.map((l) => artifactLink(l, written)).join(', ')}</td></tr>`,
      )
      .join('\n');
    const steps = result.steps
      .map(
        (s) =>
          `<tr class="${e(s.status)}"><td>${stepIcon(s)}</td><td>${e(s.phase)}</td><td>${artifactLink(s.log, written)}</td><td>${text(s.title)}</td><td class="${e(s.status)}">${e(statusLabel(s.status))}</td><td>${s.durationMs === undefined ? '-' : e(formatDuration(s.durationMs))}</td><td>${s.exitCode ?? '-'}</td><td>${text(s.detail)}</td></tr>`,
      )
      .join('\n');
    const counts = Object.keys(result.counts)
      .sort()
      .map((k) => `<tr><td><code>${e(k)}</code></td><td>${result.counts[k]}</td></tr>`)
      .join('\n');
    const latency = latencyRows(result)
      .map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`)
      .join('\n');
    const images = imageRows(result)
      .map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`)
      .join('\n');
    const title = `${result.tool.name}: ${verdictLabel(result)}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
${ICONS}
<h1>${e(result.tool.name)} validation report</h1>
<p id="verdict" class="verdict ${e(result.verdict)}${result.complete === false ? ' partial' : ''}">GATE ${e(verdictLabel(result))} — ${e(criteriaCount(result))}</p>
${stopped ? `<p class="failed">${e(stopped)}</p>\n` : ''}${targetLine(result) ? `<p>${e(targetLine(result) as string)}</p>\n` : ''}<table>
<tr><th>Config</th><td><code>${e(result.config)}</code></td></tr>
<tr><th>Log dir</th><td><code>${e(result.logDir)}</code></td></tr>
<tr><th>Tool</th><td>${e(`${result.tool.name} ${result.tool.version}`)}</td></tr>
<tr><th>Started</th><td>${e(result.startedAt)}</td></tr>
<tr><th>Ended</th><td>${e(result.endedAt)}</td></tr>
<tr><th>Duration</th><td>${e(formatDuration(result.durationMs))}</td></tr>
</table>
<h2 id="criteria">Criteria</h2>
<table>
<tr><th></th><th>Criterion</th><th>Detail</th><th>Evidence</th></tr>
${criteria}
</table>
${failures(result, written)}${selftestSection(result, written)}<h2>Timeline</h2>
${timeline(result, written)}
${counts ? `<h2>Counts</h2>\n<table>\n${counts}\n</table>\n` : ''}<h2 id="steps">Steps</h2>
<table>
<tr><th></th><th>Phase</th><th>Log</th><th>Title</th><th>Status</th><th>Duration</th><th>Exit</th><th>Detail</th></tr>
${steps}
</table>
${latency ? `<h2>E2E latency</h2>\n<table>\n<tr>${LATENCY_HEADER.map((h) => `<th>${e(h)}</th>`).join('')}</tr>\n${latency}\n</table>\n` : ''}${images ? `<h2>Images</h2>\n<table>\n<tr>${IMAGES_HEADER.map((h) => `<th>${e(h)}</th>`).join('')}</tr>\n${images}\n</table>\n` : ''}${resourcesSection(result, e)}<h2 id="artifacts">Artifacts</h2>
<ul>
${result.artifacts.map((a) => `<li>${artifactLink(a, written)}</li>`).join('\n')}
</ul>
</body>
</html>
`;
  }
}

export const htmlReporter = new HtmlReporter();
