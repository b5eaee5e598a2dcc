import { readFileSync, readdirSync } from 'node:fs';
import type { ServiceUsage } from '../../model/stack.js';

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

interface ProcessFigures {
  pgrp: number;
  /** utime + stime, in ticks. */
  ticks: number;
  rssBytes: number;
}

/**
 * Memory and CPU of the local services, each summed over its process group, from /proc: a
 * service is its whole group (a shell and its node child count as one). CPU is the group's
 * ticks since the previous sample over the wall time between them, so the first sample has
 * none. One pass over /proc per sample, whatever the number of services.
 */
export class ProcessGroupUsage {
  private previous: { at: number; ticks: Map<string, number> } | null = null;

  constructor(private readonly proc = '/proc') {}

  sample(groups: ReadonlyMap<string, number>, now: number): ServiceUsage[] {
    const byGroup = new Map<number, { ticks: number; rssBytes: number }>();
    const wanted = new Set(groups.values());
    for (const figures of this.processes()) {
      if (!wanted.has(figures.pgrp)) continue;
      const sum = byGroup.get(figures.pgrp) ?? { ticks: 0, rssBytes: 0 };
      sum.ticks += figures.ticks;
      sum.rssBytes += figures.rssBytes;
      byGroup.set(figures.pgrp, sum);
    }
    const ticks = new Map<string, number>();
    const out: ServiceUsage[] = [];
    for (const [service, pgid] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const group = byGroup.get(pgid);
      if (!group) continue;
      ticks.set(service, group.ticks);
      const before = this.previous?.ticks.get(service);
      const seconds = this.previous ? (now - this.previous.at) / 1000 : 0;
      const cpuPercent = before === undefined || seconds <= 0 ? null : Math.round((Math.max(0, group.ticks - before) / TICKS_PER_SECOND / seconds) * 1000) / 10;
      out.push({ service, memoryBytes: group.rssBytes, cpuPercent });
    }
    this.previous = { at: now, ticks };
    return out;
  }

  private *processes(): Generator<ProcessFigures> {
    let entries: string[];
    try {
      entries = readdirSync(this.proc);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      // A process may exit between the listing and the reads: it simply is not counted.
      try {
        const stat = parseStat(readFileSync(`${this.proc}/${entry}/stat`, 'utf8'));
        if (stat === null) continue;
        yield { ...stat, rssBytes: residentBytes(readFileSync(`${this.proc}/${entry}/status`, 'utf8')) };
      } catch {
        continue;
      }
    }
  }
}

/** The process group and CPU ticks of one `/proc/<pid>/stat` line (the command name may hold spaces and parentheses). */
export function parseStat(line: string): { pgrp: number; ticks: number } | null {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
  const pgrp = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(pgrp) && Number.isFinite(ticks) ? { pgrp, ticks } : null;
}

/** VmRSS of a `/proc/<pid>/status` (kB, whatever the page size); 0 for a kernel thread or a zombie. */
export function residentBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
