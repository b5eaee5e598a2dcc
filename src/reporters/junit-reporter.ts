import type { XMLBuilder } from 'fast-xml-parser';
import { lazyRequire } from '../common/lazy-require.js';
import type { RunResult } from '../model/run-result.js';
import { criterionDurationMs, oneLine, stoppedLine, targetLine, verdictLabel, type Reporter } from './reporter.js';

const xmlLibrary = lazyRequire<typeof import('fast-xml-parser')>('fast-xml-parser');

// Characters XML 1.0 forbids even escaped (ANSI escapes in a detail, say).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xmlText(text: string): string {
  return text.replace(INVALID_XML, '');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

let builder: XMLBuilder | undefined;
const xmlBuilder = (): XMLBuilder =>
  (builder ??= new (xmlLibrary().XMLBuilder)({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true, suppressBooleanAttributes: false }));

/**
 * `junit.xml`: one testsuite `release-gate`, one testcase per criterion, so CI shows the
 * gate like a test run. A run that failed or was interrupted without any failed criterion
 * gets one extra failing testcase, so CI never reads it as green.
 */
export class JUnitReporter implements Reporter {
  readonly name = 'junit' as const;
  readonly fileName = 'junit.xml';

  render(result: RunResult): string {
    const suiteName = result.tool.name;
    const testcases: Record<string, unknown>[] = result.criteria.map((c) => {
      const detail = xmlText(oneLine(c.detail));
      const evidence = c.logs.length ? `Evidence: ${c.logs.map(xmlText).join(', ')}` : '';
      const tc: Record<string, unknown> = {
        '@_classname': suiteName,
        '@_name': xmlText(oneLine(c.title)),
        '@_time': seconds(criterionDurationMs(result, c)),
      };
      if (c.notApplicable) {
        // Not applicable to the target: JUnit's only neutral state, never a pass.
        tc['skipped'] = { '@_message': detail || 'n/a' };
      } else if (c.notSelected) {
        tc['skipped'] = { '@_message': detail || 'not selected' };
      } else if (c.notJudged) {
        // Cut short by another criterion's failure: that one is the failure; this one is skipped, with why.
        tc['skipped'] = { '@_message': detail || 'not judged' };
      } else if (c.passed) {
        if (detail || evidence) tc['system-out'] = [detail, evidence].filter(Boolean).join('\n');
      } else {
        tc['failure'] = { '@_message': detail || 'failed', '@_type': 'criterion', '#text': [detail, evidence].filter(Boolean).join('\n') };
      }
      return tc;
    });
    // No failing testcase on a red run (a deadline while a window was not judged): CI must still read red.
    if (result.verdict !== 'passed' && !testcases.some((t) => t['failure'] !== undefined)) {
      const why = xmlText(oneLine(stoppedLine(result) ?? `run ${result.verdict}`));
      testcases.push({ '@_classname': suiteName, '@_name': 'Run completed', '@_time': '0.000', failure: { '@_message': why, '@_type': result.verdict, '#text': why } });
    }
    const failures = testcases.filter((t) => t['failure'] !== undefined).length;
    const skipped = testcases.filter((t) => t['skipped'] !== undefined).length;
    const properties = [
      ['verdict', verdictLabel(result)],
      ['config', result.config],
      ['logDir', result.logDir],
      ['version', result.tool.version],
      ['complete', String(result.complete !== false)],
      ...(result.complete === false ? [['deviations', result.deviations.join('; ')]] : []),
      ...(result.stoppedAt === undefined ? [] : [['stoppedAt', result.stoppedAt]]),
      ...(result.target ? [['target', targetLine(result) ?? result.target.description]] : []),
    ].map(([name = '', value = '']) => ({ '@_name': name, '@_value': xmlText(oneLine(value)) }));
    const doc = {
      testsuites: {
        '@_name': suiteName,
        '@_tests': String(testcases.length),
        '@_failures': String(failures),
        '@_errors': '0',
        '@_time': seconds(result.durationMs),
        testsuite: {
          '@_name': suiteName,
          '@_tests': String(testcases.length),
          '@_failures': String(failures),
          '@_errors': '0',
          '@_skipped': String(skipped),
          '@_time': seconds(result.durationMs),
          '@_timestamp': result.startedAt,
          properties: { property: properties },
          testcase: testcases,
        },
      },
    };
    return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlBuilder().build(doc) as string}`;
  }
}

export const junitReporter = new JUnitReporter();
