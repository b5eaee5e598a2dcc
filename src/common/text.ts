// CSI sequences (colours, erase-line) and OSC titles.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07]*\x07/g;

/** Removes terminal escape sequences. */
export function stripAnsi(text: string): string {
  // Most output has none: one native search instead of a regex scan (a capture's 1 MiB blocks).
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** Newlines and runs of blanks collapse to one space, so a value always fits on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
