import type { HttpExchange } from '../model/run-result.js';

/** `'it'\''s'`: one POSIX shell word, whatever the text holds. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A header value that is a whole `$VAR` reference (a secret the report must not hold). */
const VAR_REF = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/** A `$VAR` reference as a double-quoted expansion, anything else as a literal word ('' for nothing). */
function shellWord(value: string): string {
  const ref = VAR_REF.exec(value);
  return ref ? `"$${ref[1]}"` : value === '' ? '' : shellQuote(value);
}

/**
 * The curl command that replays a failed HTTP check, to paste into a shell: secrets stay `$VAR`
 * references the shell expands from the user's environment (`-H 'X-Metrics-Token: '"$METRICS_TOKEN"`),
 * never values. Credentials the URL carried go to `-u` the same way (`-u admin:"$URL_PASSWORD"`).
 * A request made from inside a service says where to run it.
 */
export function curlCommand(exchange: HttpExchange): string {
  const parts = ['curl', '-sS', '-i', '--max-time', '10', '-X', shellQuote(exchange.method)];
  for (const [name, value] of Object.entries(exchange.headers)) {
    const ref = VAR_REF.exec(value);
    parts.push('-H', ref ? `${shellQuote(`${name}: `)}"$${ref[1]}"` : shellQuote(`${name}: ${value}`));
  }
  if (exchange.auth) parts.push('-u', `${shellWord(exchange.auth.user)}${shellQuote(':')}${shellWord(exchange.auth.password)}`);
  parts.push(shellQuote(exchange.url));
  const command = parts.join(' ');
  return exchange.from ? `# from inside the ${exchange.from} service, e.g. docker compose exec ${shellQuote(exchange.from)} sh -c '…'\n${command}` : command;
}
