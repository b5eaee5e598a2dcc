// CSI sequences (colours, erase-line) and OSC titles. ESC written once, outside the
// alternation: compose 2.26 starts every line of its logs with `ESC[2K`, even with --no-color,
// and a common first character lets the regex engine skip to it (a third faster).
const ANSI = /\x1b(?:\[[0-9;?]*[ -\/]*[@-~]|\][^\x07]*\x07)/g;

/** Removes terminal escape sequences. */
export function stripAnsi(text: string): string {
  // Most output has none: one native search instead of a regex scan (a capture's 1 MiB blocks).
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** Newlines and runs of blanks collapse to one space, so a value always fits on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
