import { formatDuration } from '../common/duration.js';
import type { RunResult } from '../model/run-result.js';
import { RESOURCES_HEADER, resourceRows } from './resource-chart.js';
import { criteriaCount, criterionMark, IMAGES_HEADER, imageRows, LATENCY_HEADER, latencyRows, oneLine, statusLabel, stoppedLine, targetLine, verdictLabel, type Reporter } from './reporter.js';

/** Table cells: one line, pipes escaped, and Markdown/HTML specials neutralised. */
function cell(text: string): string {
  return oneLine(text).replace(/([\\|`*<>])/g, '\\$1');
}

/** `report.md`: for a CI job summary (e.g. `$GITHUB_STEP_SUMMARY`) or a PR comment. */
export class MarkdownReporter implements Reporter {
  readonly name = 'markdown' as const;
  readonly fileName = 'report.md';

  render(result: RunResult): string {
    const stopped = stoppedLine(result);
    const out = [
      `## ${cell(result.tool.name)}: GATE ${cell(verdictLabel(result))} (${criteriaCount(result)})`,
      '',
    ];
    if (stopped) out.push(`**${cell(stopped)}**`, '');
    const target = targetLine(result);
    if (target) out.push(cell(target), '');
    out.push(
      `Config \`${oneLine(result.config).replaceAll('`', "'")}\` · log dir \`${oneLine(result.logDir).replaceAll('`', "'")}\` · ${cell(result.tool.name)} ${cell(result.tool.version)} · ${formatDuration(result.durationMs)} (${cell(result.startedAt)} → ${cell(result.endedAt)})`,
      '',
      '| | Criterion | Detail |',
      '|---|---|---|',
      ...result.criteria.map((c) => `| ${criterionMark(c)} | ${cell(c.title)} | ${cell(c.detail)} |`),
      '',
      '| Phase | Log | Status | Duration | Exit | Detail |',
      '|---|---|---|---|---|---|',
      ...result.steps.map(
        (s) =>
          `| ${cell(s.phase)} | ${cell(s.log)} | ${cell(statusLabel(s.status))} | ${s.durationMs === undefined ? '-' : formatDuration(s.durationMs)} | ${s.exitCode ?? '-'} | ${cell(s.detail)} |`,
      ),
      '',
    );
    const latency = latencyRows(result);
    if (latency.length > 0) out.push(`| ${LATENCY_HEADER.join(' | ')} |`, `|${LATENCY_HEADER.map(() => '---|').join('')}`, ...latency.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    const images = imageRows(result);
    if (images.length > 0) out.push(`| ${IMAGES_HEADER.join(' | ')} |`, `|${IMAGES_HEADER.map(() => '---|').join('')}`, ...images.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    const resources = resourceRows(result);
    if (resources.length > 0) out.push(`| ${RESOURCES_HEADER.join(' | ')} |`, `|${RESOURCES_HEADER.map(() => '---|').join('')}`, ...resources.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    return `${out.join('\n')}\n`;
  }
}

export const markdownReporter = new MarkdownReporter();
