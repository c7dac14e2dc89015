// Runs www/bench/ in headless Chromium (no extension) and prints the engine's timings there.
// Usage: node scripts/bench-browser.mjs   (after make build). Numbers for notes, not a test.
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { CHROMIUM_ARGS } from '../tests/e2e/harness.mjs';

const server = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench/`);
  await page.waitForFunction(() => /** @type {any} */ (window).benchResults, undefined, { timeout: 300_000 });
  const results = await page.evaluate(() => /** @type {any} */ (window).benchResults);
  if (results.error) throw new Error(results.error);
  console.log(`Chromium ${browser.version()}, medians of 7 runs (ms):`);
  for (const [size, rows] of Object.entries(results)) {
    for (const [what, value] of Object.entries(/** @type {Record<string, number>} */ (rows))) {
      console.log(`  ${size.padEnd(6)} ${what}: ${value.toFixed(1)}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
