// "Blur the faces and upload" in Debian's Chromium, teen profile: the time from the person's press
// to the page holding the blurred copy, and the most memory the extension's process held, on a
// 12 MP and a 50 MP portrait (one face filling much of the picture) and the 28-face group photo
// at 12 MP. Beside each, the anchor measured in the same run: the browser's own full decode of
// that photo (createImageBitmap, median of 3). With `--before DIR` (another build's
// dist/chromium, e.g. an earlier commit's), that build is measured in the same run, alternating
// with this one; a run with no file after `--limit` seconds (default 150) is reported as such.
// Usage: node scripts/bench-fixes.mjs [--before DIR] [--limit S] [--runs N]   (after make build)
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, DIST, chooseChromiumProfile, launchChromium, rustfaceGroupPhoto } from '../tests/e2e/harness.mjs';
import { startServer } from './serve.mjs';

const { values: args } = parseArgs({ options: { before: { type: 'string' }, limit: { type: 'string', default: '150' }, runs: { type: 'string', default: '3' } } });
const LIMIT_MS = Number(args.limit) * 1000;
const RUNS = Number(args.runs);

const server = await startServer();
const maker = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
const page = await maker.newPage();
const group = readFileSync(rustfaceGroupPhoto()).toString('base64');
/**
 * A photo of the part `[x, y, w, h]` of the group photo at `width`×`height`, JPEG 0.92.
 * @param {[number, number, number, number]} part @param {number} width @param {number} height
 */
const photoOf = async (part, width, height) => Buffer.from(await page.evaluate(async ({ png, part: [x, y, w, h], width: cw, height: ch }) => {
  const img = new Image();
  img.src = `data:image/png;base64,${png}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = cw;
  canvas.height = ch;
  canvas.getContext('2d')?.drawImage(img, x, y, w, h, 0, 0, cw, ch);
  return canvas.toDataURL('image/jpeg', 0.92).split(',')[1] ?? '';
}, { png: group, part, width, height }), 'base64');
/** Around one sitter's face (as the warning-time benchmark's portrait). */
const FACE = /** @type {[number, number, number, number]} */ ([1190, 155, 240, 180]);
const photos = [
  { name: '12 MP portrait', path: join(tmpdir(), 'sentinelle-fix-12mp.jpg'), bytes: await photoOf(FACE, 4000, 3000) },
  { name: '50 MP portrait', path: join(tmpdir(), 'sentinelle-fix-50mp.jpg'), bytes: await photoOf(FACE, 8160, 6120) },
  { name: '12 MP group (28 faces)', path: join(tmpdir(), 'sentinelle-fix-group.jpg'), bytes: await photoOf([0, 0, 1666, 1136], 4000, 3000) },
];
for (const photo of photos) writeFileSync(photo.path, photo.bytes);
await maker.close();

/** Resident memory (kB) of every extension process on the machine, summed: run nothing else in
 * a browser meanwhile (renderers do not carry their browser's profile in their arguments). */
function extensionMemoryKb() {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8', maxBuffer: 1 << 24 });
  let sum = 0;
  for (const line of out.split('\n')) {
    if (!line.includes('--extension-process')) continue;
    sum += Number(line.trim().split(/\s+/)[0]) || 0;
  }
  return sum;
}

/**
 * One build: a browser with it under the teen profile, each photo blurred `RUNS` times.
 * @param {string} label @param {string} extensionDir
 * @returns {Promise<Map<string, {ms: number | null, peakMb: number, beforeMb: number}[]>>}
 */
async function measure(label, extensionDir) {
  const profile = join(tmpdir(), `sentinelle-bench-fixes-${label}-${process.pid}`);
  const { context, extensionId } = await launchChromium(chromium, { extensionDir, profileDir: profile });
  /** @type {Map<string, {ms: number | null, peakMb: number, beforeMb: number}[]>} */
  const results = new Map();
  try {
    await chooseChromiumProfile(context, extensionId, 'teen');
    for (const photo of photos) {
      const runs = [];
      for (let run = 0; run < RUNS; run += 1) {
        const site = await context.newPage();
        await site.goto(`${server.url}/`);
        await site.setInputFiles('#photo', photo.path);
        const frame = await guardFrameOf(site);
        await frame.waitForFunction(() => Boolean(document.body.dataset.mode), null, { polling: 50, timeout: 120_000 });
        await frame.waitForFunction(() => document.body.dataset.accepting === 'true', null, { polling: 50, timeout: 15_000 });
        const box = await frame.locator('#clean').boundingBox();
        if (!box) throw new Error('no button to press');
        const beforeKb = extensionMemoryKb();
        let peakKb = beforeKb;
        const sampler = setInterval(() => { peakKb = Math.max(peakKb, extensionMemoryKb()); }, 100);
        const start = performance.now();
        await site.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        const done = await site.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('photo')).files?.length === 1, null, { polling: 20, timeout: LIMIT_MS })
          .then(() => performance.now() - start, () => null);
        clearInterval(sampler);
        runs.push({ ms: done, peakMb: peakKb / 1024, beforeMb: beforeKb / 1024 });
        await site.close();
        if (done === null) break; // one run past the limit says enough
      }
      results.set(photo.name, runs);
    }
  } finally {
    await context.close();
  }
  return results;
}

/** @param {import('playwright-core').Page} site */
async function guardFrameOf(site) {
  for (let i = 0; i < 600; i += 1) {
    const frame = site.frames().find((f) => f.url().startsWith('chrome-extension://'));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no guard frame');
}

/** The browser's own full decode of each photo, median of 3 (ms). */
async function decodeTimes() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  /** @type {Map<string, number>} */
  const times = new Map();
  try {
    const tab = await browser.newPage();
    for (const photo of photos) {
      times.set(photo.name, await tab.evaluate(async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const blob = new Blob([bytes], { type: 'image/jpeg' });
        const t = [];
        for (let i = 0; i < 3; i += 1) {
          const s = performance.now();
          const bitmap = await createImageBitmap(blob);
          t.push(performance.now() - s);
          bitmap.close();
        }
        return t.sort((a, b) => a - b)[1] ?? 0;
      }, photo.bytes.toString('base64')));
    }
  } finally {
    await browser.close();
  }
  return times;
}

const builds = [{ label: 'this build', dir: join(DIST, 'chromium') }, ...(args.before ? [{ label: 'before', dir: args.before }] : [])];
const decodes = await decodeTimes();
/** @type {Map<string, Map<string, {ms: number | null, peakMb: number, beforeMb: number}[]>>} */
const all = new Map();
for (const build of builds) all.set(build.label, await measure(build.label.replace(/\s/g, '-'), build.dir));
const decodesAfter = await decodeTimes();
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(`"Blur the faces and upload", Chromium, teen profile (median of ${RUNS}; memory: the extension's processes, resident)`);
for (const photo of photos) {
  const decode = ((decodes.get(photo.name) ?? 0) + (decodesAfter.get(photo.name) ?? 0)) / 2;
  console.log(`  ${photo.name} (${(photo.bytes.length / 1e6).toFixed(1)} MB): the browser's full decode ${decode.toFixed(0)} ms`);
  for (const build of builds) {
    const runs = all.get(build.label)?.get(photo.name) ?? [];
    const times = runs.map((r) => r.ms).filter((ms) => ms !== null);
    const time = times.length === runs.length && times.length > 0
      ? `${median(times).toFixed(0)} ms = ${(median(times) / decode).toFixed(1)}x the decode`
      : `no file after ${LIMIT_MS / 1000} s`;
    const peak = Math.max(...runs.map((r) => r.peakMb));
    const before = median(runs.map((r) => r.beforeMb));
    console.log(`    ${build.label.padEnd(10)} ${time}; memory ${before.toFixed(0)} MB with the warning shown, at most ${peak.toFixed(0)} MB during the fix`);
  }
}
await server.close();
