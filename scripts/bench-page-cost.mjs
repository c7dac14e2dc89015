// What the extension costs a page where nothing is uploaded: the same busy page (10 000 elements,
// attribute changes, shadow roots, clicks) in Chromium without and with the extension, in one run,
// alternating. Prints median timings. Not a test: numbers for the notes (`make bench-page`).
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { CHROMIUM_ARGS, chromiumProfileDir, launchChromium } from '../tests/e2e/harness.mjs';

const ROUNDS = 300;
const REPEATS = 7;
const server = await startServer();
const plain = await chromium.launchPersistentContext(chromiumProfileDir(), {
  executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
});
const { context: guarded } = await launchChromium(chromium);

/** @param {import('playwright-core').BrowserContext} context */
async function once(context) {
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${server.url}/sites/busy.html`, { waitUntil: 'load' });
  const load = Date.now() - started;
  const work = await page.evaluate((rounds) => /** @type {any} */ (window).runWorkload(rounds), ROUNDS);
  const guard = await page.evaluate(() => document.querySelector('sentinelle-guard') !== null);
  await page.close();
  return { load, work, guard };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
/** @type {Record<string, {load: number[], work: number[]}>} */
const results = { without: { load: [], work: [] }, with: { load: [], work: [] } };
for (let i = 0; i < REPEATS; i += 1) {
  for (const [name, context] of /** @type {const} */ ([['without', plain], ['with', guarded]])) {
    const r = await once(context);
    if (r.guard) throw new Error('a guard was created on a page with no upload');
    results[name]?.load.push(r.load);
    results[name]?.work.push(r.work);
  }
}
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(7)} extension: page load median ${median(r.load)} ms, workload (${ROUNDS} rounds) median ${median(r.work).toFixed(1)} ms`);
}
await plain.close();
await guarded.close();
await server.close();
