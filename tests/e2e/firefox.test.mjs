// End-to-end in Debian's Firefox ESR with the built extension, over WebDriver BiDi with
// puppeteer-core (no geckodriver, no browser download).
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startServer } from '../../scripts/serve.mjs';
import { launchFirefox, makeFixtures } from './harness.mjs';
import { hostileTests } from './hostile.mjs';
import { pathTests } from './paths.mjs';
import { scenarioTests } from './scenario.mjs';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('./harness.mjs').Fixtures} */
let fixtures;
/** @type {import('puppeteer-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  fixtures = await makeFixtures(chromium);
  ({ browser } = await launchFirefox(puppeteer));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** @returns {Promise<import('./scenario.mjs').Driver>} */
async function newDriver() {
  const page = await browser.newPage();
  return {
    goto: async (url) => { await page.goto(url); },
    upload: async (selector, path) => {
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await page.waitForSelector(selector));
      await input.uploadFile(...[path].flat());
    },
    uploadFolder: async (selector, dir) => {
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await page.waitForSelector(selector));
      await input.uploadFile(dir);
    },
    chooseVia: async (button, path) => {
      const [chooser] = await Promise.all([page.waitForFileChooser(), page.click(button)]);
      await chooser.accept([path]);
    },
    uploadToHandle: async (name, path) => {
      const handle = await page.evaluateHandle((n) => /** @type {any} */ (window)[n], name);
      await /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (handle).uploadFile(path);
    },
    uploadInFrame: async (frameSelector, inputSelector, path) => {
      const frame = await (await page.waitForSelector(frameSelector))?.contentFrame();
      const input = await frame?.waitForSelector(inputSelector);
      if (!input) throw new Error(`${inputSelector} not found in ${frameSelector}`);
      await /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (input).uploadFile(path);
    },
    click: (selector) => page.click(selector),
    paste: async () => {
      await page.keyboard.down('Control');
      await page.keyboard.press('v');
      await page.keyboard.up('Control');
    },
    stubFilePicker: async () => {
      throw new Error('Firefox has no showOpenFilePicker');
    },
    dropFile: async () => {
      throw new Error('WebDriver BiDi cannot drag a file from outside the page');
    },
    guard: async () => {
      const frame = await guardFrame(page);
      await frame.waitForFunction(() => Boolean(document.getElementById('title')?.textContent));
      return {
        text: async (selector) => (await frame.$eval(selector, (el) => el.textContent ?? '')).trim(),
        click: (selector) => frame.click(selector),
        press: (key) => page.keyboard.press(/** @type {import('puppeteer-core').KeyInput} */ (key)),
        focused: () => frame.evaluate(() => document.activeElement?.id ?? ''),
      };
    },
    evaluate: (fn, arg) => page.evaluate(/** @type {any} */ (fn), arg),
    submit: async () => {
      await Promise.all([page.waitForNavigation(), page.click('#send')]);
    },
    close: () => page.close(),
  };
}

/** @param {import('puppeteer-core').Page} page */
async function guardFrame(page) {
  for (let i = 0; i < 300; i += 1) {
    // Puppeteer over BiDi keeps reporting the guard frame's first URL (about:blank), so ask each
    // frame where it really is.
    for (const frame of page.frames()) {
      const href = await frame.evaluate(() => location.href).catch(() => '');
      if (href.startsWith('moz-extension://')) return frame;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no guard frame appeared');
}

scenarioTests('firefox', newDriver, () => server, () => fixtures);
pathTests('firefox', newDriver, () => server, () => fixtures, { drop: false, folder: false, filePicker: false, paste: false });
hostileTests('firefox', newDriver, () => server, () => fixtures, { visibility: false });
