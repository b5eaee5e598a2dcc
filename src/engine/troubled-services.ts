import type { RunState } from './run-state.js';

/** After a failure: the last lines of each service that exited badly, is unhealthy or restarted. */
export async function showTroubledServices(state: RunState): Promise<void> {
  const { driver, redactor } = state.opts;
  try {
    const troubled = (await driver.services()).filter(
      (s) => s.health === 'unhealthy' || s.restartCount > 0 || s.oomKilled || (s.state === 'exited' && !(s.oneShot && s.exitCode === 0)),
    );
    for (const svc of troubled.slice(0, 3)) {
      const lines: string[] = [];
      const sink = { write: (chunk: string | Buffer) => lines.push(...String(chunk).split('\n').filter(Boolean)), line: (text: string) => lines.push(text) };
      await driver.logs(svc.name, { tail: 10, output: sink });
      const title = `last lines of service ${svc.name} (${svc.state}, ${svc.health}, ${svc.restartCount} restarts):`;
      state.live.onEvent({ type: 'evidence', title, lines: lines.slice(-10).map((l) => redactor.redact(l)) });
    }
  } catch {
    // Evidence for the console only: the logs phase captures the services' logs anyway.
  }
}
