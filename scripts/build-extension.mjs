// Builds the extension from one source (extension/) into dist/chromium and dist/firefox, each with
// its own manifest, plus the wasm engine from pkg/, and zips them for the stores.
// Usage: node scripts/build-extension.mjs   (after wasm-pack has written pkg/)
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'extension');
const pkg = join(root, 'pkg');
const dist = join(root, 'dist');

/** The Firefox add-on id; policies and signing are tied to it. */
export const GECKO_ID = 'sentinelle@sentinelle.invalid';

/**
 * Per-browser differences, and nothing else, live here.
 * @param {'chromium' | 'firefox' | string} browser
 * @param {any} base the manifest of extension/
 * @returns {any}
 */
export function manifestFor(browser, base) {
  const manifest = structuredClone(base);
  manifest.version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (browser === 'chromium') {
    manifest.background = { service_worker: 'background/background.js', type: 'module' };
    // world: MAIN content scripts (next step) need 111; match_origin_as_fallback needs 99.
    manifest.minimum_chrome_version = '111';
  } else {
    manifest.background = { scripts: ['background/background.js'], type: 'module' };
    // Firefox has no pageCapture (MHTML): its report flow keeps a screenshot and the address.
    manifest.permissions = manifest.permissions.filter((/** @type {string} */ p) => p !== 'pageCapture');
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '140.0',
        // Nothing is collected; reports (later) will ask at the time the person sends one.
        data_collection_permissions: { required: ['none'] },
      },
      // Firefox for Android understands data_collection_permissions from 142 on.
      gecko_android: { strict_min_version: '142.0' },
    };
  }
  return manifest;
}

/**
 * The JS snippets wasm-bindgen wrote for the engine (inline JS of src/wasm.rs), as the paths
 * sentinelle.js imports them by: only those, as pkg/snippets/ can keep a stale build's.
 * @returns {string[]}
 */
function snippets() {
  const glue = readFileSync(join(pkg, 'sentinelle.js'), 'utf8');
  const found = [...glue.matchAll(/from ['"]\.\/(snippets\/[^'"]+)['"]/g)].map((match) => match[1] ?? '');
  // An import this does not recognise would make the engine fail only when it starts.
  if (found.length === 0 && glue.includes('snippets/')) {
    throw new Error('build-extension: pkg/sentinelle.js imports snippets in a form not recognised');
  }
  return found;
}

/** @param {string} browser */
function build(browser) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(src, out, { recursive: true, filter: (path) => !path.endsWith('manifest.json') && !path.endsWith('.d.ts') });
  // The deterrence list and notice are data the background and the guard read at run time.
  mkdirSync(join(out, 'data'));
  cpSync(join(root, 'data', 'deterrence.json'), join(out, 'data', 'deterrence.json'));
  mkdirSync(join(out, 'pkg'));
  for (const file of ['sentinelle.js', 'sentinelle_bg.wasm', ...snippets()]) {
    mkdirSync(dirname(join(out, 'pkg', file)), { recursive: true });
    cpSync(join(pkg, file), join(out, 'pkg', file));
  }
  const base = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifestFor(browser, base), null, 2)}\n`);
  const zip = join(dist, `sentinelle-${browser}.zip`);
  rmSync(zip, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', zip, '.'], { cwd: out });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(pkg, 'sentinelle_bg.wasm'))) {
    console.error('build-extension: pkg/ has no wasm engine; run `make build` (wasm-pack) first');
    process.exit(1);
  }
  for (const browser of ['chromium', 'firefox']) console.log(`built ${build(browser)}`);
}
