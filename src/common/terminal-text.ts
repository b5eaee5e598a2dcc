/**
 * Text from outside (an app's output, a test's name, a config's title) made safe to print as
 * part of one console line: every control character — newline, carriage return, ESC (cursor
 * moves, "erase line"), NUL — is shown as its Unicode control picture (␊ ␍ ␛ ␀) instead of
 * acting on the terminal. A test named "x\n✅ GATE PASSED" must not print a line of its own,
 * and an ESC[1A ESC[2K in a log must not erase the ❌ above it.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u0080-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return '\u2421';
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return '\ufffd';
  });
}
