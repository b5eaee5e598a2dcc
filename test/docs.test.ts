import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.js';

/*
 * The documentation a new user reads (issue 25, "a first screen that is enough"): the README's
 * first screen holds the two commands and what a run prints; every link resolves; nothing
 * names a developer's machine or a file that is not in the repository.
 */

/** The repository's own files (tracked, or new and not ignored); a walk when git is absent. */
function repoFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(join(ROOT, dir))) {
        if (['node_modules', 'dist', '.git'].includes(name) || name.startsWith('.data')) continue;
        const path = dir === '' ? name : `${dir}/${name}`;
        if (statSync(join(ROOT, path)).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk('');
    return files;
  }
}

const TEXT = /\.(md|ts|mjs|cjs|js|json|ya?ml|sh|conf|html|xml|example|txt)$|(^|\/)(Dockerfile|LICENSE|run|\.gitignore|\.dockerignore)$/;
const files = repoFiles();
const markdown = files.filter((f) => f.endsWith('.md'));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The fenced code blocks of a markdown text, in order, with their info string. */
function codeBlocks(text: string): { info: string; body: string }[] {
  const blocks: { info: string; body: string }[] = [];
  let open: { info: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    const fence = /^```(.*)$/.exec(line);
    if (fence && !open) open = { info: fence[1] ?? '', lines: [] };
    else if (fence && open && fence[1] === '') {
      blocks.push({ info: open.info, body: open.lines.join('\n') });
      open = null;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** Text outside fenced code blocks, with inline code blanked (a link inside code is an example). */
function prose(text: string): string {
  return text
    .split(/^```.*$/m)
    .filter((_, i) => i % 2 === 0)
    .join('\n')
    .replace(/`[^`\n]*`/g, '``');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdownText: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = markdownText.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (heading ?? '').trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

describe('the README is a first screen that is enough', () => {
  const first = read('README.md').split('\n').slice(0, 150).join('\n');

  it('holds both commands in its first 150 lines', () => {
    assert.match(first, /^npm ci && npm start\b/m);
    assert.match(first, /^npm ci && npm test\b/m);
  });

  it('holds a sample console output of a whole gate in its first 150 lines', () => {
    const blocks = codeBlocks(first).map((b) => b.body);
    const sample = blocks.find((b) => /^Criteria: \d+\/\d+ passed$/m.test(b));
    assert.ok(sample, 'a code block with the console summary (Criteria: N/M passed)');
    assert.match(sample, /^release-gate \S+ — /m, 'the banner');
    assert.match(sample, /^artifacts: \S+$/m, 'the log dir');
    assert.match(sample, /^\d\d:\d\d:\d\d ✓ 13_pytest_full\.log .* passed/m, 'a step line');
    assert.match(sample, /^✅ GATE PASSED/m, 'the verdict');
  });

  it('says where the evidence is, and its quick checks read the latest run only', () => {
    for (const name of ['report.html', '17_validation_summary.log', 'summary.json']) assert.ok(first.includes(name), name);
    const checks = [...first.matchAll(/^grep .*$/gm)].map((m) => m[0]);
    assert.ok(checks.length >= 4, 'the quick checks');
    for (const check of checks) assert.match(check, /\/tmp\/release_gate_latest\//, `reads the latest run: ${check}`);
  });
});

describe('the repository documents itself without dangling references', () => {
  it('ships an MIT LICENSE, as package.json says', () => {
    const pkg = JSON.parse(read('package.json')) as { license?: string };
    assert.equal(pkg.license, 'MIT');
    assert.match(read('LICENSE'), /^MIT License\n/);
  });

  it('names no absolute path of a developer machine in any file', () => {
    // Built from parts, so this file does not hold what it looks for.
    const machine = new RegExp(`/(${['work', 'root', 'home'].join('|')})/`);
    const hits = files
      .filter((f) => TEXT.test(f))
      .flatMap((f) =>
        read(f)
          .split('\n')
          .map((line, i) => ({ f, line, i }))
          .filter(({ line }) => machine.test(line)),
      )
      .map(({ f, line, i }) => `${f}:${i + 1}: ${line.trim()}`);
    assert.deepEqual(hits, []);
  });

  it('resolves every relative markdown link (file and heading) inside the repository', () => {
    assert.ok(markdown.includes('README.md') && markdown.some((f) => f.startsWith('docs/')), 'the docs are found');
    const broken: string[] = [];
    for (const file of markdown) {
      for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURIComponent(path));
        const inside = relative(ROOT, resolved);
        if (inside.startsWith(`..${sep}`) || inside === '..') broken.push(`${file}: ${target} leads out of the repository`);
        else if (!existsSync(resolved)) broken.push(`${file}: ${target} does not exist`);
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${file}: ${target}: no heading #${anchor}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('names only markdown files that exist (a backquoted page in the docs, a docs page anywhere)', () => {
    const missing: string[] = [];
    for (const file of markdown) {
      for (const [, name] of read(file).matchAll(/`([\w./-]+\.md)`/g)) {
        if (name === 'report.md') continue; // the Markdown report a run writes, not a page
        const candidates = [resolve(dirname(join(ROOT, file)), name ?? ''), join(ROOT, name ?? '')];
        if (!candidates.some((c) => existsSync(c))) missing.push(`${file}: \`${name}\``);
      }
    }
    for (const file of files.filter((f) => TEXT.test(f))) {
      for (const [name] of read(file).matchAll(/\bdocs\/[\w-]+\.md\b/g)) if (!existsSync(join(ROOT, name))) missing.push(`${file}: ${name}`);
    }
    assert.deepEqual(missing, []);
  });

  it('gives a long page a table of contents', () => {
    const long = markdown.filter((f) => f !== 'README.md' && read(f).split('\n').length > 160);
    const without = long.filter((f) => !/^## Contents$/m.test(read(f)));
    assert.deepEqual(without, []);
  });
});
