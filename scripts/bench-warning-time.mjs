// Time from a 12-megapixel photo given to a page to the warning being ready (faces and nudity
// checked), in Debian's Chromium with the built extension. Prints the median of 5 runs.
// Usage: node scripts/bench-warning-time.mjs   (after make build)
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium, rustfaceGroupPhoto } from '../tests/e2e/harness.mjs';
import { startServer } from './serve.mjs';

const server = await startServer();
const maker = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
const page = await maker.newPage();
const group = (await import('node:fs')).readFileSync(rustfaceGroupPhoto()).toString('base64');
// A 4000×3000 photo: the group photo scaled up, so it has faces to find.
const b64 = await page.evaluate(async (png) => {
  const img = new Image();
  img.src = `data:image/png;base64,${png}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = 4000;
  canvas.height = 3000;
  canvas.getContext('2d')?.drawImage(img, 0, 0, 4000, 3000);
  return canvas.toDataURL('image/jpeg', 0.92).split(',')[1] ?? '';
}, group);
await maker.close();
const photo = join(tmpdir(), 'sentinelle-12mp.jpg');
writeFileSync(photo, Buffer.from(b64, 'base64'));

const { context, extensionId } = await launchChromium(chromium);
// The teen profile, so faces are warned about.
const options = await context.newPage();
await options.goto(`chrome-extension://${extensionId}/options/options.html`);
await options.waitForSelector('body[data-ready]');
await options.check('input[name=profile][value=teen]');
await options.click('#save');
await options.waitForFunction(() => document.getElementById('save-status')?.textContent !== '');
await options.close();

const times = [];
for (let run = 0; run < 5; run += 1) {
  const site = await context.newPage();
  await site.goto(`${server.url}/`);
  const start = Date.now();
  await site.setInputFiles('#photo', photo);
  let frame = null;
  while (!frame) {
    frame = site.frames().find((f) => f.url().startsWith('chrome-extension://')) ?? null;
    if (!frame) await new Promise((r) => setTimeout(r, 10));
  }
  await frame.waitForFunction(() => Boolean(document.body.dataset.mode), null, { timeout: 60_000 });
  times.push(Date.now() - start);
  await site.close();
}
times.sort((a, b) => a - b);
console.log(`12 MP JPEG (4000×3000, 28 faces): photo chosen → warning ready: median ${times[2]} ms (runs: ${times.join(', ')} ms)`);
await context.close();
await server.close();
