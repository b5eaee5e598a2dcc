/*
 * The browser of the report test (test/report-html.test.ts): RG_CHROMIUM when set, else the
 * Chromium that the devDependency `@sparticuz/chromium` ships inside its npm package (x64
 * Linux, brotli archives with its own NSS/expat libraries, SwiftShader and a font), so
 * `npm ci && npm test` needs nothing installed on a fresh Debian. Unpacked once per
 * installed version into node_modules/.cache (never the temp dir: a run leaves nothing there),
 * ~4 s; `npm ci` wipes it with node_modules. The package's own `executablePath()` is not used:
 * it unpacks into the shared temp dir (/tmp/chromium), which concurrent suites would race on.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

/** How to launch the report test's browser with playwright-core. */
export interface TestBrowser {
  executablePath: string;
  /** Extra environment of the browser process (its bundled libraries and fonts). */
  env: Record<string, string>;
  /** Where it comes from, for messages. */
  source: string;
}

const require = createRequire(import.meta.url);

/** The folder of the installed `@sparticuz/chromium` (its exports hide package.json). */
function packageDir(): string {
  // build/index.js → the package root.
  return dirname(dirname(require.resolve('@sparticuz/chromium')));
}

/** RG_CHROMIUM (another machine's browser binary) or the bundled Chromium, unpacked if needed. */
export function testBrowser(env: NodeJS.ProcessEnv = process.env): TestBrowser {
  const own = env['RG_CHROMIUM'];
  if (own) {
    if (!existsSync(own)) throw new Error(`RG_CHROMIUM=${own}: no such file. Unset it to use the Chromium bundled in the devDependency @sparticuz/chromium.`);
    return { executablePath: own, env: {}, source: `RG_CHROMIUM=${own}` };
  }
  return bundledChromium();
}

/** The bundled Chromium, unpacked into `<node_modules>/.cache/release-gate-chromium-<version>`. */
export function bundledChromium(pkg = packageDir()): TestBrowser {
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(pkg, '..', '..', '.cache', `release-gate-chromium-${version}`);
  const executablePath = join(dir, 'chromium');
  if (!existsSync(executablePath)) unpack(join(pkg, 'bin'), dir);
  return {
    executablePath,
    env: {
      // Its NSS and expat (al2023.tar): a bare Debian has neither.
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
    source: `@sparticuz/chromium ${version} (${dir})`,
  };
}

/** Unpacks into a sibling folder, then renames it into place: a concurrent unpacker never sees half a browser. */
function unpack(bin: string, dir: string): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`@sparticuz/chromium ships a Chromium for x64 Linux only (this is ${process.platform}/${process.arch}): set RG_CHROMIUM=/path/to/chromium-or-chrome.`);
  }
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'lib'), { recursive: true });
  try {
    const brotli = (name: string) => brotliDecompressSync(readFileSync(join(bin, name)));
    writeFileSync(join(work, 'chromium'), brotli('chromium.br'));
    chmodSync(join(work, 'chromium'), 0o755);
    untar(brotli('al2023.tar.br'), join(work, 'lib'), ['--strip-components=1']);
    untar(brotli('swiftshader.tar.br'), work); // libEGL/libGLESv2 beside the binary, where Chromium looks
    untar(brotli('fonts.tar.br'), work);
    // Its fonts.conf names Lambda's folders; ours names the unpacked fonts.
    writeFileSync(
      join(work, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    // Another process renamed its copy first: use it.
    if (existsSync(join(dir, 'chromium'))) return;
    throw new Error(`Cannot unpack the Chromium of @sparticuz/chromium (${bin}) into ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function untar(data: Buffer, into: string, extra: string[] = []): void {
  const r = spawnSync('tar', ['-x', '-f', '-', '-C', into, ...extra], { input: data, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tar exited ${r.status}: ${r.stderr.trim()}`);
}
