import { confinedPath, isStrictlyInside, physicalPath } from '../common/confined-path.js';
import type { ConfigIssue } from '../common/errors.js';
import type { BoundStack } from '../drivers/bound-stack.js';
import { formatPath } from '../config/loader.js';

/**
 * Why the paths the driver may remove are unsafe, checked at load by `plan` and `run`: each
 * must lie strictly inside the project root (DESIGN.md, safety rules), and the log dir must not
 * lie in one of them (the teardown would delete the evidence it is writing).
 */
export function removalProblems(stack: BoundStack, root: string, logDir: { path: string; from: string }): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const logs = physicalPath(logDir.path);
  for (const removable of stack.removes(root)) {
    const where = `stack.${formatPath(removable.path)}`;
    const judged = confinedPath(removable.value, { base: removable.base, root });
    if (judged.problem !== null) {
      issues.push({ where, message: `${JSON.stringify(removable.value)} → ${judged.path} ${judged.problem}; the gate removes this path, so it must be a folder strictly inside the project root ${root}` });
    } else if (logs === judged.physical || isStrictlyInside(logs, judged.physical)) {
      issues.push({ where: `${logDir.from} ${logDir.path}`, message: `is inside ${where} (${judged.path}), which the gate removes: the evidence would be deleted with it; pick a log dir outside it` });
    }
  }
  return issues;
}
