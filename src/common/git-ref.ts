/**
 * Why a git ref from the config cannot be used, or null. It is passed to git as one argv element,
 * never to a shell; one that starts with "-" would still be read by git as an option
 * (`--output=…` writes a file), so it is refused, as are spaces and control characters (no ref
 * has them) and refs longer than 256 characters.
 */
export function gitRefProblem(ref: string): string | null {
  if (ref === '') return 'it is empty';
  if (ref.startsWith('-')) return 'it starts with "-" (git would read it as an option)';
  if (/[\s\u0000-\u001f\u007f]/.test(ref)) return 'it holds a space or a control character';
  if (ref.length > 256) return 'it is longer than 256 characters';
  return null;
}
