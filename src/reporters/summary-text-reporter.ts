import { formatDuration } from '../common/duration.js';
import type { RunResult } from '../model/run-result.js';
import { criteriaCount, criterionMark, judgedCriteria, oneLine, statusLabel, stoppedLine, targetLine, verdictLabel, type Reporter } from './reporter.js';

const PASS = '✅';
const FAIL = '❌';

/**
 * Only criterion lines may carry ✅/❌: `grep -E '✅|❌' 17_validation_summary.log` must print
 * exactly one line per criterion, so the marks are neutralised everywhere else.
 */
function neutral(text: string): string {
  return text.replaceAll(PASS, '[ok]').replaceAll(FAIL, '[x]');
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}

/** The `17_validation_summary.log`-style text summary. */
export class SummaryTextReporter implements Reporter {
  readonly name = 'summary' as const;
  readonly fileName = 'validation_summary.log';

  render(result: RunResult): string {
    const out: string[] = [];
    const judged = judgedCriteria(result);
    const header = [
      ['Verdict:', `GATE ${verdictLabel(result)}`],
      ['Config:', result.config],
      ['Log dir:', result.logDir],
      ['Tool:', `${result.tool.name} ${result.tool.version}`],
      ['Started:', result.startedAt],
      ['Ended:', result.endedAt],
      ['Duration:', formatDuration(result.durationMs)],
    ];
    const stopped = stoppedLine(result);
    out.push(`=== ${result.tool.name}: validation summary ===`, ...table(header.map(([k = '', v = '']) => [k, neutral(oneLine(v))])));
    if (stopped) out.push(neutral(stopped));
    const target = targetLine(result);
    if (target) out.push(neutral(target));

    if (result.complete === false) out.push(neutral(`Partial: ${oneLine(result.deviations.join('; '))}`));
    const switches = Object.entries(result.switches ?? {});
    if (switches.length > 0) out.push(neutral(`Switches: ${switches.map(([k, v]) => `${k}=${v}`).join(', ')}`));
    out.push('', `--- Criteria: ${judged.filter((c) => c.passed).length}/${judged.length} passed ---`);
    for (const c of result.criteria) {
      const detail = neutral(oneLine(c.detail));
      // Only judged criteria carry ✅/❌ (the seed's grep counts them).
      const mark = c.notSelected || c.notApplicable || c.notJudged ? criterionMark(c) : c.passed ? PASS : FAIL;
      out.push(`${mark} ${neutral(oneLine(c.title))}${detail ? `: ${detail}` : ''}`);
    }

    const counts = Object.keys(result.counts).sort();
    if (counts.length) {
      out.push('', '--- Counts ---', ...table(counts.map((k) => [neutral(oneLine(k)), String(result.counts[k])])));
    }

    out.push('', '--- Steps ---');
    const rows = [['PHASE', 'LOG', 'STATUS', 'DURATION', 'EXIT', 'DETAIL']];
    for (const s of result.steps) {
      rows.push([
        s.phase,
        s.log,
        statusLabel(s.status),
        s.durationMs === undefined ? '-' : formatDuration(s.durationMs),
        s.exitCode === undefined ? '-' : String(s.exitCode),
        oneLine(s.detail),
      ].map((cell) => neutral(oneLine(cell))));
    }
    out.push(...table(rows));

    out.push('', `--- Artifacts (${result.artifacts.length}) in ${neutral(oneLine(result.logDir))} ---`, ...result.artifacts.map((a) => neutral(oneLine(a))));

    out.push('', `RESULT: GATE ${neutral(verdictLabel(result))} (${criteriaCount(result)})${stopped ? ` — ${neutral(stopped)}` : ''}`);
    return `${out.join('\n')}\n`;
  }
}

export const summaryTextReporter = new SummaryTextReporter();

