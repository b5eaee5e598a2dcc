import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Judgement } from '../checks/judges.js';
import type { Redactor } from '../common/redactor.js';

/** The file beside summary.json holding what every verdict was judged from. */
export const EVIDENCE_FILE = 'evidence.json';

/** One step's judgements, keyed by the step's id. */
export interface StepEvidence {
  id: string;
  log: string;
  judgements: Judgement[];
}

export interface EvidenceFile {
  version: 1;
  steps: StepEvidence[];
}

/** Writes evidence.json, redacted like every artifact (bodies and log lines may carry secrets). */
export function writeEvidence(logDir: string, steps: StepEvidence[], redactor: Redactor): void {
  const file: EvidenceFile = { version: 1, steps };
  writeFileSync(join(logDir, EVIDENCE_FILE), redactor.redact(JSON.stringify(file, null, 2)) + '\n');
}
