import { readFileSync } from 'node:fs';

/**
 * Which variable sets which port, read from config or compose files' text: `\${NAME:-18088}`
 * maps 18088 (and NAME's current value) to NAME. Only for hints ("set KORRIGO_LITE_PORT…").
 * A file that cannot be read gives nothing: a hint is never worth an error.
 */
export function portVariables(files: string[], env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?-(\d{1,5})\}/g)) {
      const [, name = '', port = ''] = m;
      out[port] ??= name;
      const current = env[name];
      if (current && /^\d{1,5}$/.test(current)) out[current] ??= name;
    }
  }
  return out;
}

/** The port a bind error names: `Bind for 127.0.0.1:8088 failed`, `listen tcp4 0.0.0.0:8088: bind`. */
export function portInBindError(line: string): number | undefined {
  const m = /(?:Bind for|listen tcp[46]?) \[?[^\s\]]*\]?:(\d{1,5})\b/i.exec(line);
  return m?.[1] ? Number(m[1]) : undefined;
}

/** The next step for a taken port: the variable that moves it when there is one. */
export function portTakenHint(port: number | undefined, variables: Record<string, string>, files: string[]): string {
  const stop = port ? `Stop what listens there (\`ss -ltnp 'sport = :${port}'\`)` : 'Stop what listens there (`ss -ltnp`)';
  const variable = port ? variables[String(port)] : undefined;
  return variable ? `${stop}, or set ${variable} to a free port.` : `${stop}, or publish another host port in ${files.join(', ')}.`;
}
