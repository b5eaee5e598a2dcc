import type { RunResult } from '../engine/run-result.js';
import { htmlReporter } from './html-reporter.js';
import { jsonReporter } from './json-reporter.js';
import { junitReporter } from './junit-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import type { Reporter } from './reporter.js';
import { summaryTextReporter } from './summary-text-reporter.js';

export type { Reporter } from './reporter.js';

/** The built-in reporters by name; the valid names derive from this map. */
export const builtinReporters = {
  summary: summaryTextReporter,
  json: jsonReporter,
  junit: junitReporter,
  html: htmlReporter,
  markdown: markdownReporter,
} as const;

export type ReporterName = keyof typeof builtinReporters;

export const reporterNames = Object.keys(builtinReporters) as ReporterName[];

/** The reporters run when the config names none. */
export const defaultReporterNames: readonly ReporterName[] = ['summary', 'json', 'junit', 'html'];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(builtinReporters, name);
}

export type RenderOutcome =
  | { ok: true; name: ReporterName; fileName: string; content: string }
  | { ok: false; name: ReporterName; fileName: string; error: Error };

/**
 * Renders each named reporter. One reporter throwing does not stop the others: its
 * outcome carries the error instead of content. `fileNames` overrides default names
 * (the korrigo preset writes the summary as `17_validation_summary.log`).
 */
export function renderAll(
  result: RunResult,
  names: readonly ReporterName[] = defaultReporterNames,
  fileNames: Partial<Record<ReporterName, string>> = {},
  reporters: Readonly<Record<ReporterName, Reporter>> = builtinReporters,
): RenderOutcome[] {
  return names.map((name) => {
    const reporter = reporters[name];
    const fileName = fileNames[name] ?? reporter.fileName;
    try {
      return { ok: true, name, fileName, content: reporter.render(result) };
    } catch (err) {
      const error = new Error(`Reporter "${name}" failed to render ${fileName}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      return { ok: false, name, fileName, error };
    }
  });
}
