// End-to-end in Debian's Firefox ESR with the built extension, over WebDriver BiDi with
// puppeteer-core (no geckodriver, no browser download).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startServer } from '../../scripts/serve.mjs';
import { GECKO_ID } from '../../scripts/build-extension.mjs';
import { FIREFOX_EXTENSION_UUID, ROOT, canUseMountNamespace, closeEveryBrowser, evaluateInBrowserWindow, firefoxChooseFolder, firefoxChooseInFrame, firefoxDropFile, firefoxEditingFrame, firefoxGuardFrame, launchFirefox, makeFixtures, sha256File } from './harness.mjs';
import { reportTests } from './report.mjs';
import { hostileTests } from './hostile.mjs';
import { cleanedSha, pathTests } from './paths.mjs';
import { scenarioTests, waitFor } from './scenario.mjs';

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('./harness.mjs').Fixtures} */
let fixtures;
/** @type {import('puppeteer-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  fixtures = await makeFixtures(chromium);
  ({ browser } = await launchFirefox(puppeteer, { systemAccess: true }));
});
after(async () => {
  // This file's browser and those of tests that timed out (their own `finally` never ran), each
  // closed or killed within 10 s.
  await closeEveryBrowser();
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
    uploadFolder: (selector, dir) => firefoxChooseFolder(browser, page, selector, dir),
    chooseVia: async (button, path) => {
      const [chooser] = await Promise.all([page.waitForFileChooser(), page.click(button)]);
      await chooser.accept([path]);
    },
    uploadToHandle: async (name, path) => {
      const handle = await page.evaluateHandle((n) => /** @type {any} */ (window)[n], name);
      await /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (handle).uploadFile(path);
    },
    uploadInFrame: (frameSelector, inputSelector, path) => firefoxChooseInFrame(browser, page, frameSelector, inputSelector, path),
    click: (selector) => page.click(selector),
    paste: async () => {
      await page.keyboard.down('Control');
      await page.keyboard.press('v');
      await page.keyboard.up('Control');
    },
    stubFilePicker: async () => {
      throw new Error('Firefox has no showOpenFilePicker');
    },
    dropFile: (selector, path) => firefoxDropFile(browser, page, selector, path),
    guard: async () => {
      const frame = await guardFrame(page);
      await frame.waitForFunction(() => Boolean(document.getElementById('title')?.textContent));
      return {
        text: async (selector) => (await frame.$eval(selector, (el) => el.textContent ?? '')).trim(),
        // A mouse press; where puppeteer cannot place one (a warning inside a page-made
        // about:blank frame, whose geometry BiDi does not give it), the keyboard, as a
        // keyboard user presses: focus on the button, then Enter (a trusted click all the same).
        click: async (selector) => {
          try {
            await frame.click(selector);
          } catch (error) {
            if (!/not clickable/.test(String(error))) throw error;
            await frame.focus(selector);
            await page.keyboard.press('Enter');
          }
        },
        press: (key) => page.keyboard.press(/** @type {import('puppeteer-core').KeyInput} */ (key)),
        focused: () => frame.evaluate(() => document.activeElement?.id ?? ''),
      };
    },
    evaluate: (fn, arg) => page.evaluate(/** @type {any} */ (fn), arg),
    submit: async () => {
      await page.waitForFunction(() => !document.querySelector('sentinelle-guard'));
      await Promise.all([page.waitForNavigation(), page.click('#send')]);
    },
    close: () => page.close(),
  };
}

const guardFrame = firefoxGuardFrame;

scenarioTests('firefox', newDriver, () => server, () => fixtures);
pathTests('firefox', newDriver, () => server, () => fixtures, { drop: true, folder: true, filePicker: false, paste: false });
hostileTests('firefox', newDriver, () => server, () => fixtures);

/**
 * @param {string} expression
 * @param {import('puppeteer-core').Browser} [within]
 */
const inBrowserWindow = (expression, within = browser) => evaluateInBrowserWindow(within, expression);

/**
 * The open page whose address passes `test`. Puppeteer over BiDi reports a tab's first address
 * (about:blank) for pages the browser opened itself, so ask each page where it really is.
 * @param {(href: string) => boolean} test
 * @param {import('puppeteer-core').Browser} [within]
 */
async function pageAt(test, within = browser) {
  // Generous: a fresh extension tab compiles the 5 MB engine, slow on a busy 2-core machine.
  /** @type {string[]} */
  let seen = [];
  for (let i = 0; i < 600; i += 1) {
    seen = [];
    for (const page of await within.pages()) {
      const href = await page.evaluate(() => location.href).catch((e) => `error: ${e.message}`);
      seen.push(href);
      if (test(href)) return page;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the page did not open; open pages: ${seen.join(' | ')}`);
}

/**
 * Opens an extension page in a tab and returns puppeteer's handle on it. BiDi cannot navigate to
 * moz-extension URLs, and waiting for puppeteer to notice a tab the browser opened itself failed
 * once in CI (the new tab never appeared in its list). So puppeteer opens the tab, marks it with a
 * fragment, and the browser window loads the extension page into the tab carrying that mark: the
 * handle is known before the extension page loads.
 * @param {string} url
 * @param {import('puppeteer-core').Browser} [within]
 */
async function openExtensionTab(url, within = browser) {
  const page = await within.newPage();
  const mark = `sentinelle-tab-${randomUUID()}`;
  await page.evaluate((m) => { location.hash = m; }, mark);
  const loaded = await inBrowserWindow(`(async () => {
    for (let i = 0; i < 200; i += 1) {
      const b = gBrowser.browsers.find((x) => x.currentURI?.spec.endsWith(${JSON.stringify(`#${mark}`)}));
      if (b) {
        b.loadURI(Services.io.newURI(${JSON.stringify(url)}), { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() });
        gBrowser.selectedTab = gBrowser.getTabForBrowser(b);
        return 'ok';
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return 'no tab carries the mark';
  })()`, within);
  if (loaded !== 'ok') throw new Error(loaded);
  for (let i = 0; i < 600; i += 1) {
    const href = await page.evaluate(() => location.href).catch(() => '');
    if (decodeURIComponent(href) === decodeURIComponent(url)) {
      await page.waitForFunction(() => document.readyState === 'complete');
      return page;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the extension page did not load: ${url}`);
}

/**
 * The report flow's driver. The toolbar test presses the extension's real toolbar button in the
 * browser window. The context menu cannot be opened over an element from a test, so the image test
 * opens the page the menu's listener opens (report.html?tab=ID&src=IMAGE), with the real tab id.
 * @returns {import('./report.mjs').ReportDriver}
 */
function reportDriver() {
  const base = `moz-extension://${FIREFOX_EXTENSION_UUID}/report/report.html`;
  /** @type {import('puppeteer-core').Page | null} */
  let site = null;
  /** Runs `fn` in an extension page (with the WebExtension APIs). */
  async function inExtension(/** @type {(arg: any) => any} */ fn, /** @type {any} */ arg) {
    const page = await openExtensionTab(base);
    try {
      return await page.evaluate(fn, arg);
    } finally {
      await page.close();
    }
  }
  return {
    openPage: async (url) => {
      site = await browser.newPage();
      await site.goto(url);
      await site.waitForFunction(() => /** @type {HTMLImageElement | null} */ (document.getElementById('photo'))?.complete);
    },
    setExtraHelplines: async (entries) => {
      await inExtension((e) => /** @type {any} */ (globalThis).chrome.storage.local.set({ extraHelplines: e }), entries);
    },
    menuExists: () => inExtension(() => /** @type {any} */ (globalThis).chrome.contextMenus.update('sentinelle-report', {}).then(() => true, () => false), null),
    openReport: async (pageUrl, srcUrl) => {
      /** @type {import('puppeteer-core').Page} */
      let page;
      if (srcUrl) {
        // Firefox's match patterns take no port, so filter the tabs here.
        const tabId = await inExtension(async (url) => (await /** @type {any} */ (globalThis).chrome.tabs.query({})).find((/** @type {any} */ t) => t.url === url)?.id, pageUrl);
        page = await openExtensionTab(`${base}?${new URLSearchParams({ tab: String(tabId), src: srcUrl })}`);
      } else {
        // The real toolbar button, pressed in the window where the site's tab is selected.
        await site?.bringToFront();
        const pressed = await inBrowserWindow(`(() => {
          const id = ${JSON.stringify(`${GECKO_ID.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}-browser-action`)};
          // Firefox puts extension buttons in its extensions panel; pin it to the toolbar, as a
          // person can, and press it.
          CustomizableUI.addWidgetToArea(id, CustomizableUI.AREA_NAVBAR);
          const node = CustomizableUI.getWidget(id)?.forWindow(window)?.node;
          const button = node?.querySelector('.unified-extensions-item-action-button');
          if (!button) return 'no button ' + id;
          button.click();
          return 'pressed';
        })()`);
        assert.equal(pressed, 'pressed');
        page = await pageAt((href) => href.startsWith(`${base}?tab=`));
      }
      await page.waitForSelector('body[data-ready]', { timeout: 5000 }).catch(async (e) => {
        throw new Error(`${e.message}: ${await page.evaluate(() => document.getElementById('no-page')?.textContent + ' ' + location.href)}`);
      });
      return {
        click: (selector) => page.click(selector),
        waitVisible: async (selector) => { await page.waitForSelector(selector, { visible: true }); },
        evaluate: (fn, arg) => page.evaluate(/** @type {any} */ (fn), arg),
        // BiDi has no download events: read the very blob the download link points to.
        bundleBytes: async () => Buffer.from(await page.evaluate(async () => {
          const link = /** @type {HTMLAnchorElement} */ (document.getElementById('download'));
          const bytes = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
          let text = '';
          for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(text);
        }), 'base64'),
        close: async () => { await page.close(); await site?.close(); },
      };
    },
  };
}
const firefoxReport = reportDriver();
reportTests('firefox', () => ({ driver: firefoxReport, server, fixtures }), { archive: false });

const OPTIONS_URL = `moz-extension://${FIREFOX_EXTENSION_UUID}/options/options.html`;

test('firefox: showOpenFilePicker does not exist in this Firefox (the day it does, this fails and the path tests must cover it)', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/sites/picker.html`);
    assert.equal(await page.evaluate(() => typeof (/** @type {any} */ (window)).showOpenFilePicker), 'undefined');
  } finally {
    await page.close();
  }
});

test('firefox: opening the file chooser makes the guard ready, hidden, before a photo is chosen; the warning then comes from it', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/`);
    assert.equal(await page.evaluate(() => document.querySelector('sentinelle-guard')), null, 'no guard before the chooser opens');
    const [chooser] = await Promise.all([page.waitForFileChooser(), page.click('#photo')]);
    const frame = await guardFrame(page);
    assert.equal(await page.evaluate(() => getComputedStyle(/** @type {Element} */ (document.querySelector('sentinelle-guard'))).visibility), 'hidden');
    await chooser.accept([fixtures.withGps]);
    await frame.waitForFunction(() => Boolean(document.body.dataset.mode));
    assert.equal(await frame.$eval('#title', (e) => e.textContent), 'This photo shows where it was taken');
    assert.equal(await page.evaluate(() => document.querySelectorAll('sentinelle-guard').length), 1, 'one guard: the one made ready');
  } finally {
    await page.close();
  }
});

test('firefox: a parent sets a child profile and a PIN; a GPS photo then goes as is only with the PIN', async () => {
  const options = await openExtensionTab(OPTIONS_URL);
  try {
    await options.waitForSelector('body[data-ready]');
    await options.click('input[name=profile][value=child]');
    assert.equal(await options.$eval('#rule-location', (el) => /** @type {HTMLSelectElement} */ (el).value), 'pin');
    await options.click('#save');
    await options.waitForFunction(() => document.getElementById('save-status')?.textContent === 'Saved.');
    await options.type('#new-pin', '2468');
    await options.type('#repeat-pin', '2468');
    await options.click('#set-pin');
    await options.waitForFunction(() => document.getElementById('pin-status')?.textContent === 'The PIN is set.');

    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/`);
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await page.waitForSelector('#photo'));
      await input.uploadFile(fixtures.withGps);
      const frame = await guardFrame(page);
      await frame.waitForFunction(() => document.body.dataset.mode === 'pin');
      await frame.click('#original');
      await frame.waitForSelector('#pin-input', { visible: true });
      await frame.type('#pin-input', '1357');
      await frame.click('#pin-ok');
      await frame.waitForFunction(() => document.getElementById('pin-status')?.textContent === 'That PIN is not right.');
      await frame.type('#pin-input', '2468');
      await frame.click('#pin-ok');
      await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('photo')).files?.length === 1);
      await Promise.all([page.waitForNavigation(), page.click('#send')]);
      assert.equal(server.received.at(-1)?.files[0]?.sha256, sha256File(fixtures.withGps), 'with the PIN, the original went as is');
    } finally {
      await page.close();
    }
    // A child's photo stays held back when the page removes the guard (an adult's would go as it is).
    const hostile = await browser.newPage();
    try {
      await hostile.goto(`${server.url}/sites/hostile.html?attack=remove-guard`);
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await hostile.waitForSelector('#photo'));
      await input.uploadFile(fixtures.withGps);
      await waitFor(() => hostile.evaluate(() => Boolean(document.querySelector('sentinelle-notice'))), 'the notice shows');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await hostile.evaluate(() => /** @type {any[]} */ (/** @type {any} */ (window).pageSaw).filter((s) => s.files.length > 0)), [], 'held back');
    } finally {
      await hostile.close();
    }
  } finally {
    // Back to a fresh install for whatever runs next in this browser.
    await options.evaluate(() => /** @type {any} */ (globalThis).chrome.storage.local.remove(['settings', 'pin', 'pinAttempts']));
    await options.close();
  }
});

for (const chooser of [false, true]) {
  const how = chooser ? '; chosen in the file chooser, the guard and its face network made ready meanwhile' : '';
  test(`firefox: a photo with a face at the top (teen profile${how}): "crop the faces out" gives the page the engine's crop, without face or metadata`, async () => {
    const options = await openExtensionTab(OPTIONS_URL);
    try {
      await options.waitForSelector('body[data-ready]');
      await options.click('input[name=profile][value=teen]');
      await options.click('#save');
      await options.waitForFunction(() => document.getElementById('save-status')?.textContent === 'Saved.');

      const page = await browser.newPage();
      try {
        await page.goto(`${server.url}/`);
        if (chooser) {
          // As while a person chooses: the guard is made ready and runs its face network once
          // while the chooser is open; then the photo is chosen.
          const [opened] = await Promise.all([page.waitForFileChooser(), page.click('#photo')]);
          const ready = await guardFrame(page);
          // Polled on a timer: the frame is hidden while the chooser is open (no animation
          // frames to poll on, Puppeteer's default).
          await ready.waitForFunction(() => document.documentElement.dataset.facesReady === 'true', { polling: 50 });
          await opened.accept([fixtures.faceAbove]);
        } else {
          const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await page.waitForSelector('#photo'));
          await input.uploadFile(fixtures.faceAbove);
        }
        const frame = await guardFrame(page);
        await frame.waitForFunction(() => Boolean(document.body.dataset.mode));
        assert.equal((await frame.$eval('#crop', (el) => el.textContent ?? '')).trim(), 'Crop the faces out and upload');
        assert.equal(await frame.$eval('#crop', (el) => /** @type {HTMLElement} */ (el).hidden), false, 'the crop is offered');
        await frame.click('#crop');
        await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('photo')).files?.length === 1, { timeout: 30_000 });
        await page.waitForFunction(() => !document.querySelector('sentinelle-guard'));
        await Promise.all([page.waitForNavigation(), page.click('#send')]);
        const sent = server.received.at(-1)?.files[0];
        assert.equal(sent?.name, 'outfit.jpg');
        const copy = join(fixtures.dir, 'firefox-sent-outfit.jpg');
        writeFileSync(copy, sent?.bytes ?? Buffer.alloc(0));
        const expected = join(fixtures.dir, 'firefox-expected-outfit.jpg');
        execFileSync(join(ROOT, 'target', 'release', 'sentinelle'), ['crop-faces', fixtures.faceAbove, expected]);
        assert.equal(sha256File(copy), sha256File(expected), 'the page got the engine\'s crop');
      } finally {
        await page.close();
      }
    } finally {
      await options.evaluate(() => /** @type {any} */ (globalThis).chrome.storage.local.remove(['settings']));
      await options.close();
    }
  });
}

/**
 * What the editing frame's page got (its window.pageSaw), once it got something (15 s at most).
 * @param {import('puppeteer-core').Frame} editing
 * @returns {Promise<any[]>}
 */
async function editorSaw(editing) {
  const seen = async () => /** @type {any[]} */ (await editing.evaluate(() => /** @type {any} */ (window).pageSaw));
  for (let i = 0; i < 300 && (await seen()).length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  return seen();
}

// Editors that edit in a frame (under a toolbar whose shadow falls over it, a focus ring over its
// edge), a 160 px frame, a cross-origin one, a frame in a frame: the warning is drawn whole over
// the top-level page, its default button works with a press (two frames) or with the keyboard
// alone (the other two: the button has the focus, Enter), and the editor gets the clean copy.
for (const name of ['editor-frame', 'small-frame', 'cross-origin-frame', 'nested-frame']) {
  const keyboard = name === 'small-frame' || name === 'nested-frame';
  test(`firefox frames: a GPS photo chosen in the ${name.replace(/-/g, ' ')}: the warning is whole over the top page, ${keyboard ? 'Enter' : 'a press'} on its default button sends the clean copy`, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/sites/editor.html`);
      const editing = await firefoxEditingFrame(page, name);
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await editing.waitForSelector('#framed'));
      await input.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await input.uploadFile(fixtures.withGps);
      const guard = await guardFrame(page);
      await guard.waitForFunction(() => Boolean(document.body.dataset.mode));
      assert.equal(guard.parentFrame(), page.mainFrame(), 'the warning is drawn over the top-level page');
      assert.equal((await guard.$eval('#title', (el) => el.textContent ?? '')).trim(), 'This photo shows where it was taken');
      // Whole: the dialog and its buttons inside the guard's frame, which fills the window.
      const view = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
      for (const part of ['.dialog', '#clean', '#cancel']) {
        const box = await guard.$eval(part, (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
        assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= view.width && box.y + box.height <= view.height, `${part} is whole in the window: ${JSON.stringify(box)}`);
      }
      if (keyboard) {
        // The warning gave its safe choice the focus; a keyboard user only presses Enter.
        await guard.waitForFunction(() => document.activeElement?.id === 'clean', { polling: 100 });
        await page.keyboard.press('Enter');
      } else {
        await guard.click('#clean');
      }
      const [got] = await editorSaw(editing);
      assert.equal(got?.event, 'change');
      assert.equal(got?.files[0]?.name, 'phone-photo.jpg');
      assert.equal(got?.files[0]?.sha256, cleanedSha(fixtures.withGps), 'the editor got the engine\'s clean copy');
    } finally {
      await page.close();
    }
  });
}

// A drop in each editing frame (the cross-origin one, in another process, gets its trusted drop
// from a process script: firefoxDropFile).
for (const [name, frames] of /** @type {[string, string[]][]} */ ([['editor-frame', ['#editor-frame']], ['small-frame', ['#small-frame']], ['nested-frame', ['#nested-frame', '#inner-frame']], ['cross-origin-frame', []]])) {
  test(`firefox frames: a GPS photo dropped in the ${name.replace(/-/g, ' ')}: the warning is whole over the top page, and the editor gets the clean copy`, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/sites/editor.html`);
      await page.evaluate((outer) => document.querySelector(outer)?.scrollIntoView({ block: 'center' }), /** @type {string} */ (frames[0]));
      const editing = await firefoxEditingFrame(page, name);
      if (name === 'cross-origin-frame') {
        await page.evaluate(() => document.querySelector('#cross-origin-frame')?.scrollIntoView({ block: 'center' }));
        await firefoxDropFile(browser, page, 'body', fixtures.withGps, [], 'editor-frame.html?name=cross-origin-frame');
      } else {
        await firefoxDropFile(browser, page, 'body', fixtures.withGps, frames);
      }
      const guard = await guardFrame(page);
      await guard.waitForFunction(() => Boolean(document.body.dataset.mode));
      assert.equal(guard.parentFrame(), page.mainFrame(), 'the warning is drawn over the top-level page');
      await guard.click('#clean');
      const [got] = await editorSaw(editing);
      assert.equal(got?.event, 'drop');
      assert.equal(got?.files[0]?.sha256, cleanedSha(fixtures.withGps), 'the editor got the engine\'s clean copy');
    } finally {
      await page.close();
    }
  });
}

test('firefox: a long fix in one tab (three 12 MP selfies blurred) shows its progress, leaves another tab\'s warning free to come, and Cancel stops it with nothing sent', async () => {
  const options = await openExtensionTab(OPTIONS_URL);
  try {
    await options.waitForSelector('body[data-ready]');
    await options.click('input[name=profile][value=teen]');
    await options.click('#save');
    await options.waitForFunction(() => document.getElementById('save-status')?.textContent === 'Saved.');
    const first = await browser.newPage();
    const second = await browser.newPage();
    try {
      await first.bringToFront();
      await first.goto(`${server.url}/sites/paths.html`);
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await first.waitForSelector('#multi'));
      await input.uploadFile(...fixtures.bigSelfies);
      const fixing = await guardFrame(first);
      await fixing.waitForFunction(() => Boolean(document.body.dataset.mode), { timeout: 60_000 });
      assert.equal((await fixing.$eval('#clean', (el) => el.textContent ?? '')).trim(), 'Blur the faces and upload');
      await fixing.click('#clean');
      // The fix runs on its own thread and says how far it got.
      await fixing.waitForFunction(() => Number(document.documentElement.dataset.fixProgress ?? 0) > 0, { polling: 50, timeout: 60_000 });
      assert.equal(await fixing.$eval('#progress', (el) => /** @type {HTMLElement} */ (el).hidden), false, 'a progress bar');
      assert.equal((await fixing.$eval('#stop', (el) => el.textContent ?? '')).trim(), 'Cancel');

      // Meanwhile a photo is chosen in another tab: its warning comes while the fix still runs.
      await second.bringToFront();
      await second.goto(`${server.url}/`);
      const photo = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await second.waitForSelector('#photo'));
      await photo.uploadFile(fixtures.withGps);
      const warning = await guardFrame(second);
      await warning.waitForFunction(() => Boolean(document.body.dataset.mode), { polling: 50, timeout: 30_000 });
      assert.equal(await fixing.evaluate(() => document.documentElement.dataset.fixing), 'true', 'the first fix was still running when the second warning came');
      await warning.click('#cancel');

      // Cancel, pressed by the person, stops the fix: the first page gets nothing.
      await first.bringToFront();
      await fixing.click('#stop');
      await first.waitForFunction(() => !document.querySelector('sentinelle-guard'), { timeout: 30_000 });
      assert.equal(await first.evaluate(() => /** @type {HTMLInputElement} */ (document.getElementById('multi')).files?.length), 0, 'the input holds no photo');
      assert.deepEqual(await first.evaluate(() => /** @type {any} */ (window).pageSaw.filter((/** @type {any} */ s) => s.source === 'multi' && s.files.length > 0)), [], 'the page got no photo');
    } finally {
      await first.close();
      await second.close();
    }
  } finally {
    await options.evaluate(() => /** @type {any} */ (globalThis).chrome.storage.local.remove(['settings']));
    await options.close();
  }
});

test('firefox: a policies.json policy locks a setting; the options page shows it locked', { skip: canUseMountNamespace() ? false : 'no private mount namespace here (needs root or user namespaces)' }, async () => {
  const policy = join(fixtures.dir, 'policies.json');
  writeFileSync(policy, JSON.stringify({ policies: { '3rdparty': { Extensions: { [GECKO_ID]: {
    rules: { location: 'block' }, sites: { blocked: ['blocked.example'] },
  } } } } }));
  const { browser: managed } = await launchFirefox(puppeteer, { systemAccess: true, policyFile: policy });
  try {
    const options = await openExtensionTab(OPTIONS_URL, managed);
    await options.waitForSelector('body[data-ready]');
    assert.equal(await options.$eval('#rule-location', (el) => /** @type {HTMLSelectElement} */ (el).value), 'block');
    assert.equal(await options.$eval('#rule-location', (el) => /** @type {HTMLSelectElement} */ (el).disabled), true, 'locked');
    assert.equal(await options.$eval('#rule-device', (el) => /** @type {HTMLSelectElement} */ (el).disabled), false);
    assert.equal(await options.$eval('#managed-note', (el) => /** @type {HTMLElement} */ (el).hidden), false);
    assert.match(await options.$eval('#sites-blocked', (el) => /** @type {HTMLTextAreaElement} */ (el).value), /blocked\.example/);
  } finally {
    await managed.close();
  }
});
