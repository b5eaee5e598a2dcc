import { z } from 'zod';

/*
 * Sizes as people write them in a config (`512MiB`, `1.5GB`, `300M`, or a number of bytes) and
 * percentages (`10%`). Binary and decimal units both exist in the wild (Docker prints decimal
 * MB, Compose's mem_limit binary): each unit means what it says, a bare `M`/`G` is binary as in
 * Compose.
 */

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

const SIZE_EXPECTED = 'expected a size such as 512MiB, 1.5GB, 300M or a number of bytes';

/** Bytes of `512MiB`, `1.5GB`, `300M`, `4096`; null when it is not a size. */
export function parseByteSize(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
  if (!match) return null;
  const factor = UNITS[(match[2] as string).toLowerCase()];
  return factor === undefined ? null : Math.round(Number(match[1]) * factor);
}

/** A size as the config wrote it (shown as is) and its bytes. */
export interface WrittenSize {
  readonly text: string;
  readonly bytes: number;
}

/** A size read once, at load: `{ text, bytes }`. */
export function writtenByteSize() {
  return z
    .union([z.string(), z.number()], { error: SIZE_EXPECTED })
    .transform((value, ctx): WrittenSize => {
      const bytes = parseByteSize(value);
      if (bytes !== null && bytes > 0) return { text: String(value), bytes };
      ctx.issues.push({ code: 'custom', message: bytes === 0 ? 'must be more than 0 bytes' : SIZE_EXPECTED, input: value });
      return z.NEVER;
    })
    .describe('A size: 512MiB, 1.5GB, 300M (binary, as Compose), or a number of bytes');
}

/** A percentage as written (`10%`), read once into a number (10). */
export function percentSchema() {
  return z
    .string({ error: 'expected a percentage such as 10%' })
    .transform((value, ctx) => {
      const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
      if (match) return Number(match[1]);
      ctx.issues.push({ code: 'custom', message: 'expected a percentage such as 10%', input: value });
      return z.NEVER;
    })
    .describe('A percentage: 10%');
}

/** Growth from `before` to `now` in percent, rounded to 0.1; null without a figure to grow from. */
export function growthPct(now: number, before: number | null | undefined): number | null {
  if (before === undefined || before === null || before <= 0) return null;
  return Math.round(((now - before) / before) * 1000) / 10;
}
