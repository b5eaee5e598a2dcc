/** One injected defect and whether the gate turned red on its criterion. */
export interface SelftestRow {
  criterion: string;
  title: string;
  /** The step whose evidence was mutated. */
  log: string;
  mutation: string;
  caught: boolean;
  /** The criterion's ❌ detail when caught; why not otherwise. */
  detail: string;
  /** The defect only flips a recorded exit code (or the step's outcome): nothing finer is judged. */
  exitCodeOnly?: true;
  /** Done on the live stack in the extra run (a kill, a request without credentials), not on recorded evidence. */
  live?: true;
  /** Why this mutation cannot be done here (the external driver cannot kill a service): neither caught nor missed. */
  notApplicable?: string;
  /** Why it was not done (the live stack did not boot, the live run stopped first): not caught, and its criterion not proven. */
  notRun?: string;
}
