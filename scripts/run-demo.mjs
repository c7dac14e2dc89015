// `make run`: serves the demo page and opens Chromium with the extension on it. With no display
// (or HEADLESS=1) it plays the demo scenario headless instead and tells, in plain words, what the
// person saw and what the site received.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { CORPUS, launchChromium, makeFixtures, privateTags, tagsOf } from '../tests/e2e/harness.mjs';

const headless = process.env.HEADLESS === '1' || !process.env.DISPLAY;
const server = await startServer({ port: Number(process.env.PORT ?? 0) });

if (!headless) {
  const { context } = await launchChromium(chromium, { headless: false, lang: null });
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${server.url}/`);
  console.log(`Chromium is open on ${server.url}/ with Sentinelle loaded. Pick a phone photo with GPS.`);
  console.log('Close the browser window to stop.');
  await new Promise((resolve) => context.on('close', resolve));
  await server.close();
  process.exit(0);
}

const corpusPhoto = join(CORPUS, 'exif-samples', 'jpg', 'gps', 'DSCN0010.jpg');
const photo = existsSync(corpusPhoto) ? corpusPhoto : (await makeFixtures(chromium)).withGps;
const say = (/** @type {string} */ text) => console.log(`  ${text}`);
const { context } = await launchChromium(chromium, { headless: true });
try {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  console.log(`Demo (headless): ${server.url}/ — an ordinary upload form, Sentinelle installed.`);
  const before = privateTags(tagsOf(photo));
  say(`1. The person picks "${basename(photo)}" (${before.length} private tags inside, GPS among them).`);
  const started = performance.now();
  await page.setInputFiles('#photo', photo);
  let frame;
  while (!(frame = page.frames().find((f) => f.url().startsWith('chrome-extension://')))) await page.waitForTimeout(20);
  await frame.waitForFunction(() => Boolean(document.getElementById('title')?.textContent));
  const shownAfter = performance.now() - started;
  const text = async (/** @type {string} */ sel) => ((await frame.locator(sel).textContent()) ?? '').trim();
  const pageSawBefore = await page.evaluate(() => /** @type {any} */ (window).pageSaw.length);
  say(`2. Before the page saw anything (page's script had seen ${pageSawBefore} events), Sentinelle showed, after ${shownAfter.toFixed(0)} ms:`);
  say(`     "${await text('#title')}"`);
  say(`     "${await text('#summary')}"`);
  for (const item of await frame.locator('#details li').allTextContents()) say(`       - ${item}`);
  say(`     [${await text('#clean')}]  [${await text('#original')}]  [${await text('#cancel')}]`);
  say(`3. The person chooses "${await text('#clean')}".`);
  await frame.locator('#clean').click();
  await page.waitForFunction(() => /** @type {any} */ (window).pageSaw.length >= 2);
  /** @type {{event: string, files: {name: string, size: number}[]}[]} */
  const saw = await page.evaluate(() => /** @type {any} */ (window).pageSaw);
  say(`4. The page's own script saw: ${saw.map((s) => `${s.event} → ${s.files.map((f) => `${f.name} (${f.size} bytes)`).join(', ')}`).join('; ')}.`);
  await Promise.all([page.waitForURL('**/upload'), page.click('#send')]);
  const upload = server.received.at(-1);
  const file = upload?.files[0];
  if (!file) throw new Error('the site received no file');
  const left = privateTags(tagsOf(file.bytes));
  say(`5. The site received "${file.name}" (${file.type}, ${file.size} bytes, the original was ${statSync(photo).size} bytes).`);
  say(`   exiftool finds ${left.length} private tags in it${left.length ? `: ${left.join(', ')}` : ' — no GPS, no camera, no date'}.`);
  if (left.length) process.exitCode = 1;
} finally {
  await context.close();
  await server.close();
}
