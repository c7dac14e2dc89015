// Paste in Firefox, with a real clipboard: headless Firefox's clipboard holds no pictures, so this
// Firefox runs with a window on a virtual X display (Xvfb). The browser's own window puts things on
// the clipboard as a person's copy would (a picture, or a photo file copied in a file manager);
// the page gets them by a real Ctrl+V.
//
// Firefox cannot hand a page a checked paste (it ignores clipboardData in a synthetic paste), so
// Sentinelle holds the paste back and the person pastes again: the original when they chose
// "as it is" (or there was nothing to warn about), the cleaned copy — which the guard puts on the
// clipboard — when they chose to clean it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startServer } from '../../scripts/serve.mjs';
import { ROOT, closeEveryBrowser, evaluateInBrowserWindow, firefoxEditingFrame, firefoxGuardFrame, launchFirefox, makeFixtures, sha256File } from './harness.mjs';
import { waitFor } from './scenario.mjs';

const HAVE_XVFB = spawnSync('sh', ['-c', 'command -v Xvfb'], { stdio: 'ignore' }).status === 0;
const skip = HAVE_XVFB ? false : 'no Xvfb (Debian package xvfb; make setup installs it)';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('./harness.mjs').Fixtures} */
let fixtures;
/** @type {import('puppeteer-core').Browser} */
let browser;
/** @type {import('node:child_process').ChildProcess | null} */
let xvfb = null;

before(async () => {
  if (!HAVE_XVFB) return;
  server = await startServer();
  fixtures = await makeFixtures(chromium);
  // Xvfb picks a free display itself and writes its number once it is ready.
  xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = await new Promise((resolve, reject) => {
    xvfb?.stdout?.once('data', (data) => resolve(`:${String(data).trim()}`));
    xvfb?.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
  ({ browser } = await launchFirefox(puppeteer, { systemAccess: true, display }));
});
after(async () => {
  await closeEveryBrowser();
  await server?.close();
  xvfb?.kill();
});

/** Puts a photo file on the clipboard, as copying it in a file manager does. @param {string} path */
function copyFile(path) {
  return evaluateInBrowserWindow(browser, `(() => {
    const trans = Cc['@mozilla.org/widget/transferable;1'].createInstance(Ci.nsITransferable);
    trans.init(null);
    trans.addDataFlavor('application/x-moz-file');
    trans.setTransferData('application/x-moz-file', new FileUtils.File(${JSON.stringify(path)}));
    Services.clipboard.setData(trans, null, Ci.nsIClipboard.kGlobalClipboard);
    return 'ok';
  })()`);
}

/** @param {import('puppeteer-core').Page} page */
async function paste(page) {
  await page.bringToFront();
  await page.click('#paste-target');
  await page.keyboard.down('Control');
  await page.keyboard.press('v');
  await page.keyboard.up('Control');
}

/**
 * The notices the content script showed (it logs each one's code; their text is in a closed
 * shadow root, out of the page's reach).
 * @param {import('puppeteer-core').Page} page
 */
function noticesOf(page) {
  /** @type {string[]} */
  const codes = [];
  page.on('console', (message) => {
    const m = /^Sentinelle notice \((.+)\)$/.exec(message.text());
    if (m?.[1]) codes.push(m[1]);
  });
  return codes;
}

/** @param {import('puppeteer-core').Page} page */
const seen = (page) => page.evaluate(() => /** @type {any[]} */ (/** @type {any} */ (window).pageSaw));

/**
 * Pastes `photo` (copied as a file) into the page and waits for the warning; returns its frame.
 * @param {import('puppeteer-core').Page} page
 * @param {string} photo
 */
async function pastedWarning(page, photo) {
  await copyFile(photo);
  await paste(page);
  const frame = await firefoxGuardFrame(page);
  await frame.waitForFunction(() => Boolean(document.body.dataset.mode));
  return frame;
}

test('firefox (real clipboard): a pasted photo with GPS is warned about; "Remove the location" copies a clean copy, and the next paste gives the page that copy', { skip }, async () => {
  const page = await browser.newPage();
  try {
    const notices = noticesOf(page);
    await page.goto(`${server.url}/sites/paste.html`);
    const frame = await pastedWarning(page, fixtures.withGps);
    assert.equal((await frame.$eval('#title', (el) => el.textContent ?? '')).trim(), 'This photo shows where it was taken');
    assert.deepEqual(await seen(page), [], 'the page got nothing while the person decides');
    await frame.click('#clean');
    await waitFor(() => notices.includes('paste-clean-copied'), 'the "copied, paste again" notice');
    assert.deepEqual(await seen(page), [], 'nothing pasted yet');

    await paste(page);
    await waitFor(async () => (await seen(page)).length === 1, 'the second paste reached the page');
    const [got] = await seen(page);
    assert.equal(got.trusted, true, 'the person\'s own paste');
    assert.equal(got.files.length, 1);
    assert.equal(got.files[0].type, 'image/png');
    // What the page got is the photo, without any metadata: the engine finds nothing in it, and
    // it is the same picture (same size, upright).
    const pasted = join(fixtures.dir, 'firefox-pasted-clean.png');
    writeFileSync(pasted, Buffer.from(await page.evaluate(() => /** @type {any} */ (window).lastPastedBase64()), 'base64'));
    const cli = join(ROOT, 'target', 'release', 'sentinelle');
    const after = JSON.parse(spawnSync(cli, ['inspect', pasted, '--json'], { encoding: 'utf8' }).stdout);
    assert.deepEqual(after.findings, [], 'no metadata in the pasted copy');
    assert.equal(after.location, null);
    const [width, height] = await page.evaluate(async () => {
      const bitmap = await createImageBitmap(/** @type {any} */ (window).lastPasted[0]);
      return [bitmap.width, bitmap.height];
    });
    const original = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
      return [bitmap.width, bitmap.height];
    }, readFileSync(fixtures.withGps).toString('base64'));
    assert.deepEqual([width, height], original);
  } finally {
    await page.close();
  }
});

test('firefox (real clipboard): a pasted photo sent "as it is" is held back once, and the next paste gives the page the original', { skip }, async () => {
  const page = await browser.newPage();
  try {
    const notices = noticesOf(page);
    await page.goto(`${server.url}/sites/paste.html`);
    const frame = await pastedWarning(page, fixtures.withGps);
    await frame.click('#original');
    await waitFor(() => notices.includes('paste-again'), 'the "paste again" notice');
    assert.deepEqual(await seen(page), []);
    await paste(page);
    await waitFor(async () => (await seen(page)).length === 1, 'the second paste reached the page');
    const [got] = await seen(page);
    assert.equal(got.files[0].name, 'phone-photo.jpg', 'the file itself');
    assert.equal(got.files[0].sha256, sha256File(fixtures.withGps), 'the original, unchanged');
  } finally {
    await page.close();
  }
});

test('firefox (real clipboard): while a held-back paste waits to be pasted again, another photo pasted instead is checked, not let through', { skip }, async () => {
  const page = await browser.newPage();
  try {
    const notices = noticesOf(page);
    await page.goto(`${server.url}/sites/paste.html`);
    await copyFile(fixtures.noRisk);
    await paste(page);
    // Nothing to warn about: checked, then held back once (Firefox cannot hand it over).
    await waitFor(() => notices.filter((n) => n === 'paste-again').length === 1, 'the first "paste again" notice');
    await page.waitForFunction(() => !document.querySelector('sentinelle-guard'));
    // The person copies another photo, one with a GPS position, and pastes that: it is checked.
    const frame = await pastedWarning(page, fixtures.withGps);
    assert.equal((await frame.$eval('#title', (el) => el.textContent ?? '')).trim(), 'This photo shows where it was taken');
    await frame.click('#cancel');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await seen(page), [], 'the page got neither photo');
  } finally {
    await page.close();
  }
});

/** @param {import('puppeteer-core').Page} page @param {import('puppeteer-core').Frame} frame */
async function pasteInto(page, frame) {
  await page.bringToFront();
  await frame.click('p');
  await page.keyboard.down('Control');
  await page.keyboard.press('v');
  await page.keyboard.up('Control');
}

// Paste into an editor's frame (same-origin, 160 px, cross-origin, a frame in a frame): the warning is
// drawn whole over the top-level page; "Remove the location" puts the clean copy on the
// clipboard and the next paste gives the editor that copy, with no metadata left.
for (const name of ['editor-frame', 'small-frame', 'cross-origin-frame', 'nested-frame']) {
  test(`firefox (real clipboard): a photo pasted into the ${name.replace(/-/g, ' ')} is warned about over the top page, and the next paste gives the editor the clean copy`, { skip }, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/sites/editor.html`);
      const editing = await firefoxEditingFrame(page, name);
      await editing.evaluate(() => document.body.scrollIntoView({ block: 'center' }));
      await copyFile(fixtures.withGps);
      await pasteInto(page, editing);
      const guard = await firefoxGuardFrame(page);
      await guard.waitForFunction(() => Boolean(document.body.dataset.mode));
      assert.equal(guard.parentFrame(), page.mainFrame(), 'the warning is drawn over the top-level page');
      assert.equal((await guard.$eval('#title', (el) => el.textContent ?? '')).trim(), 'This photo shows where it was taken');
      const view = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
      const box = await guard.$eval('#clean', (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= view.width && box.y + box.height <= view.height, `the button is whole: ${JSON.stringify(box)}`);
      assert.deepEqual(await editing.evaluate(() => /** @type {any} */ (window).pageSaw), [], 'the editor got nothing while the person decides');
      await guard.click('#clean');
      await page.waitForFunction(() => !document.querySelector('sentinelle-guard'), { polling: 100, timeout: 15_000 });

      await pasteInto(page, editing);
      await waitFor(async () => (await editing.evaluate(() => /** @type {any} */ (window).pageSaw)).length === 1, 'the second paste reached the editor');
      const [got] = await editing.evaluate(() => /** @type {any} */ (window).pageSaw);
      assert.equal(got.event, 'paste');
      assert.equal(got.files.length, 1);
      assert.notEqual(got.files[0].sha256, sha256File(fixtures.withGps), 'not the original');
      const pasted = join(fixtures.dir, `firefox-${name}-pasted.bin`);
      writeFileSync(pasted, Buffer.from(await editing.evaluate(() => /** @type {any} */ (window).lastPastedBase64()), 'base64'));
      const inspected = JSON.parse(spawnSync(join(ROOT, 'target', 'release', 'sentinelle'), ['inspect', pasted, '--json'], { encoding: 'utf8' }).stdout);
      assert.equal(inspected.location, null, 'no position in what the editor got');
      assert.deepEqual(inspected.findings, [], 'no metadata at all');
    } finally {
      await page.close();
    }
  });
}
