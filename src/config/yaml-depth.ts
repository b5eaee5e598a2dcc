import { lazyRequire } from '../common/lazy-require.js';

const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');

/** Far deeper than any config (the korrigo preset nests 8 levels), far below where the parser's recursion overflows (~800). */
export const MAX_YAML_DEPTH = 64;

/** Lexer tokens that stand for no source text (document start, scalar, flow-error markers). */
const CONTROL = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * Where a YAML text first nests deeper than `max` (as an offset), or null. Runs the library's
 * lexer only, which does not recurse: the parser does, and 10,000 `[` made it overflow its stack
 * and then abort the process in a regular expression, so the text is measured before it is parsed.
 * Flow collections count their brackets; block collections count the indentation columns open
 * above a line (each level sits deeper than its parent), compact `- - x` items included.
 */
export function yamlTooDeep(text: string, max = MAX_YAML_DEPTH): number | null {
  const { Lexer } = yamlLibrary();
  let offset = 0;
  let flow = 0;
  /** Columns of the block nodes open above the current line. */
  const columns: number[] = [];
  let column = 0;
  /** At a line's start, before its first content token: indicators there open block nodes. */
  let leading = true;
  let afterScalarMark = false;
  const open = (col: number) => {
    while (columns.length > 0 && (columns[columns.length - 1] as number) >= col) columns.pop();
    columns.push(col);
  };
  for (const token of new Lexer().lex(text)) {
    if (CONTROL.has(token)) {
      afterScalarMark = token === '\u001f';
      continue;
    }
    const at = offset;
    offset += token.length;
    const lastNewline = token.lastIndexOf('\n');
    if (afterScalarMark) {
      // The scalar's own text (a block scalar's lines included): never structure.
      afterScalarMark = false;
      if (flow === 0 && leading) open(column);
      leading = false;
    } else if (token === '\n' || token === '\r\n') {
      leading = true;
    } else if (token === '[' || token === '{') {
      if (flow === 0 && leading) open(column);
      leading = false;
      flow++;
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    } else if (flow === 0 && leading && (token === '-' || token === '?' || token === ':')) {
      // `- - - x`: each indicator opens one more level, at its own column.
      open(column);
    } else if (flow === 0 && leading && token.trim() !== '' && !token.startsWith('#')) {
      open(column);
      leading = false;
    }
    column = lastNewline >= 0 ? token.length - lastNewline - 1 : column + token.length;
    if (flow + columns.length > max) return at;
  }
  return null;
}
