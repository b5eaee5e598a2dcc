import { builtinJudges, type LogScanInput } from '../../checks/judges.js';
import { scanLines } from '../../checks/log-scan.js';
import type { Criterion } from '../evidence-mutations.js';

/** Log scan: one error line the allow list does not excuse, added to the captured logs. */
export const logScanCriterion: Criterion<'log-scan'> = {
  judge: builtinJudges['log-scan'],
  mutations: (input: LogScanInput) => {
    const line = unallowedLine(input);
    if (!line) return { none: `no line could be built that the scan patterns flag and allow does not excuse (patterns: ${input.patterns.join(', ')})` };
    return { mutations: [{ label: `an unallowed line added to the captured logs: "${line}"`, input: { ...input, lines: [...input.lines, line] } }] };
  },
};

/** A line the scan must flag: a pattern's literal text, or a common error line, that no allow pattern excuses. */
function unallowedLine(input: LogScanInput): string | null {
  const literal = (source: string) =>
    source
      .replace(/^\(\?i\)/, '')
      .replace(/\\b|\^|\$/g, '')
      .replace(/\\([^A-Za-z0-9])/g, '$1');
  const candidates = [
    ...input.patterns.map((p) => `release-gate selftest: ${literal(p)} injected`),
    'ERROR release-gate selftest: injected error',
    'CRITICAL release-gate selftest: injected error',
    'Traceback (most recent call last):',
    'FATAL release-gate selftest: injected error',
    // Flagged by its level alone when the scan reads structured levels.
    '{"level":"error","msg":"release-gate selftest: injected error"}',
  ];
  const scan = { patterns: input.patterns, allow: input.allow, structuredLevels: input.structuredLevels };
  return candidates.find((line) => scanLines([line], scan).count === 1) ?? null;
}
