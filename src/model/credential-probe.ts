/**
 * One request the live selftest repeated without its credentials (token header, session
 * cookie): a protected endpoint must not answer 2xx to it.
 */
export interface CredentialProbe {
  /** The step's log (`05_wait_metrics.log`). */
  log: string;
  /** The criterion the request gives evidence for. */
  criterion?: string | undefined;
  /** The scenario step's name: with the log, what matches a listed request to its repeat (ids in the path may differ). */
  step?: string | undefined;
  /** `GET /metrics`, `POST /api/grading/copies/3/annotations/` (scenario: with its step name). */
  request: string;
  /** What was left out: header and cookie names, never values. */
  without: string[];
  /** The status of the answer without them; null when none came. */
  status: number | null;
  /** The network error when no answer came. */
  problem?: string | undefined;
}

/** Receives each credential probe of a live selftest run. */
export type CredentialProbeSink = (probe: CredentialProbe) => void;

/**
 * A request that carried credentials, as selftest's healthy run lists it (nothing is resent
 * then): the live run must resend each one, so a row exists for each even when it stops early.
 */
export type CredentialRequest = Omit<CredentialProbe, 'status' | 'problem'>;

/** Receives each request with credentials of selftest's healthy run. */
export type CredentialRequestSink = (request: CredentialRequest) => void;

/** Header names that carry credentials (not CSRF tokens: those guard forms, not identity). */
export const CREDENTIAL_HEADER = /authorization|token|secret|api-?key|session|password|cookie/i;
const CSRF_NAME = /csrf|xsrf/i;

/** Whether a header (or cookie) name carries a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_HEADER.test(name) && !CSRF_NAME.test(name);
}

/** Whether a name is a CSRF token's (dropped with the credentials, never a credential by itself). */
export function isCsrfName(name: string): boolean {
  return CSRF_NAME.test(name);
}
