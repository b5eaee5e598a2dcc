import type { RunResult } from '../model/run-result.js';
import { htmlReporter } from './html-reporter.js';
import { jsonReporter } from './json-reporter.js';
import { junitReporter } from './junit-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import type { Reporter } from './reporter.js';
import { summaryTextReporter } from './summary-text-reporter.js';

export type { Reporter } from './reporter.js';

/** A set of reporters by name: the built-in one, or a test's with one more. */
export type ReporterRegistry = Readonly<Record<string, Reporter>>;

/** The built-in reporters by name. A new reporter = one file + one line here. */
export const builtinReporters: ReporterRegistry = Object.fromEntries(
  [summaryTextReporter, jsonReporter, junitReporter, htmlReporter, markdownReporter].map((r) => [r.name, r]),
);

/** The reports written beside the logs when the config names none. */
export const defaultReporterNames: readonly string[] = ['json', 'junit', 'html'];
/** Always written whatever the config says: the machine-readable evidence. */
export const requiredReporterNames: readonly string[] = ['json'];
/** Renders the summary steps' logs (`17_validation_summary.log`). */
export const SUMMARY_REPORTER = 'summary';

export function reporterNames(registry: ReporterRegistry = builtinReporters): string[] {
  return Object.keys(registry);
}

export function isReporterName(name: string, registry: ReporterRegistry = builtinReporters): boolean {
  return Object.hasOwn(registry, name);
}

export type RenderOutcome = { ok: true; name: string; fileName: string; content: string } | { ok: false; name: string; fileName: string; error: Error };

/**
 * Renders each named reporter. One reporter throwing does not stop the others: its
 * outcome carries the error instead of content. `fileNames` overrides default names.
 */
export function renderAll(
  result: RunResult,
  names: readonly string[] = [SUMMARY_REPORTER, ...defaultReporterNames],
  fileNames: Partial<Record<string, string>> = {},
  registry: ReporterRegistry = builtinReporters,
): RenderOutcome[] {
  return names.map((name) => {
    const reporter = registry[name];
    const fileName = fileNames[name] ?? reporter?.fileName ?? name;
    try {
      if (!reporter) throw new Error(`no such reporter; known: ${reporterNames(registry).join(', ')}`);
      return { ok: true, name, fileName, content: reporter.render(result) };
    } catch (err) {
      const error = new Error(`Reporter "${name}" failed to render ${fileName}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      return { ok: false, name, fileName, error };
    }
  });
}
