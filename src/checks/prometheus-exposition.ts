/**
 * A strict check of the Prometheus text exposition format (version 0.0.4): comment lines,
 * `# HELP`/`# TYPE`, and samples `name{label="value",…} value [timestamp]`. It answers one
 * question — is this really a metrics page with at least one sample? — so an HTML page a
 * proxy serves for every unknown path can never pass for /metrics.
 */

export interface ExpositionCheck {
  ok: boolean;
  samples: number;
  /** Why not, naming the first bad line. */
  reason?: string;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)';
const SAMPLE = new RegExp(`^${NAME}(?:\\{\\s*(?:${LABEL}(?:\\s*,\\s*${LABEL})*\\s*,?\\s*)?\\})?[ \\t]+${VALUE}(?:[ \\t]+-?\\d+)?[ \\t]*$`);
const TYPE = new RegExp(`^#[ \\t]+TYPE[ \\t]+${NAME}[ \\t]+(?:counter|gauge|histogram|summary|untyped)[ \\t]*$`);
const HELP = new RegExp(`^#[ \\t]+HELP[ \\t]+${NAME}(?:[ \\t].*)?$`);

export function checkExposition(text: string): ExpositionCheck {
  if (/^\s*</.test(text)) return { ok: false, samples: 0, reason: 'an HTML/XML document, not a Prometheus exposition' };
  let samples = 0;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (/^#[ \t]+TYPE\b/.test(line) && !TYPE.test(line)) return bad(i, line, 'malformed # TYPE line');
      if (/^#[ \t]+HELP\b/.test(line) && !HELP.test(line)) return bad(i, line, 'malformed # HELP line');
      continue;
    }
    if (!SAMPLE.test(line)) return bad(i, line, 'not a sample line (name{labels} value)');
    samples++;
  }
  if (samples === 0) return { ok: false, samples, reason: 'no sample: an exposition with no metric' };
  return { ok: true, samples };
}

function bad(index: number, line: string, why: string): ExpositionCheck {
  return { ok: false, samples: 0, reason: `line ${index + 1}: ${why}: ${JSON.stringify(line.slice(0, 80))}` };
}
