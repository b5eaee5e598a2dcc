import type { CredentialProbe } from './credential-probe.js';

/** The kill's state until the live run reaches it: the run stopped before it could be done. */
export const KILL_NOT_REACHED = 'the gate stopped before the kill';

/** What the live mutations of a selftest run did. */
export interface LiveOutcome {
  /** Each authenticated request, repeated without its credentials. */
  probes: CredentialProbe[];
  /** The kill during the watch: none planned (no stability step), or what happened. */
  kill:
    | { planned: false; why: string }
    | { planned: true; notApplicable: string }
    | { planned: true; service: string; at: string; afterStep: string; seen: boolean }
    | { planned: true; error: string };
}
