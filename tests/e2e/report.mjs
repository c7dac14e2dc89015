// The report flow end to end, the same for Chromium and Firefox: open the report page for a tab
// (as the context menu on an image and the toolbar button do), say what happened, make the
// evidence file and check it with the CLI, open a helpline's prefilled form, send to its intake,
// and for child sexual abuse material check that no picture exists in the file or in what is sent.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../target/release/sentinelle', import.meta.url));
// The helpline intake as `make test-intake` (or `cargo build -p sentinelle-intake`) builds it.
const INTAKE = fileURLToPath(new URL('../../target/debug/sentinelle-intake', import.meta.url));

/**
 * A real intake on a fresh SQLite file; stopped (and its folder removed) by `stop`.
 * @returns {Promise<{url: string, db: string, stop: () => void}>}
 */
export async function startIntake() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinelle-e2e-intake-'));
  const db = `sqlite://${join(dir, 'intake.db')}`;
  const child = spawn(INTAKE, ['serve', '--listen', '127.0.0.1:0', '--public-per-minute', '0', '--database', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stop = () => { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); };
  try {
    const url = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`the intake did not start: ${text}`)), 30_000);
      child.stderr.on('data', (chunk) => {
        text += chunk;
        const found = /listening on (http:\/\/\S+)/.exec(text);
        if (found) { clearTimeout(timer); resolve(found[1]); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the intake exited (${code}): ${text}`)); });
    });
    return { url: String(url), db, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
const SHIPPED = JSON.parse(readFileSync(new URL('../../data/helplines.json', import.meta.url), 'utf8'));

/**
 * @typedef {{
 *   openPage: (url: string) => Promise<void>,
 *   openReport: (pageUrl: string, srcUrl: string | null) => Promise<ReportPage>,
 *   setExtraHelplines: (entries: unknown[]) => Promise<void>,
 *   menuExists: () => Promise<boolean | null>,
 * }} ReportDriver
 * @typedef {{
 *   click: (selector: string) => Promise<void>,
 *   waitVisible: (selector: string) => Promise<void>,
 *   evaluate: <T, A>(fn: (arg: A) => T | Promise<T>, arg: A) => Promise<T>,
 *   bundleBytes: () => Promise<Buffer>,
 *   close: () => Promise<void>,
 * }} ReportPage
 */

/**
 * A helpline for the tests: a copy of a shipped entry whose form and intake are the local stub.
 * @param {string} base server URL
 */
export function stubHelpline(base) {
  const entry = structuredClone(SHIPPED.helplines.find((/** @type {any} */ h) => h.id === 'fr-3018'));
  return {
    ...entry,
    id: 'test-stub-helpline',
    names: Object.fromEntries(Object.keys(entry.names).map((l) => [l, 'Stub helpline (test)'])),
    harms: ['own-image', 'sextortion', 'child-abuse', 'deepfake-other', 'harassment'],
    kind: 'hotline',
    inhope: true,
    accepts_files: false,
    form: { asks: ['url'], prefill: { url: `${base}/helpline-stub/form?page={url}&time={time}&situation={situation}` } },
    intake: { url: `${base}/helpline-stub/intake`, format: 'sentinelle-report-1' },
  };
}

/** @param {Buffer} zip @param {string} dir @param {string} name */
function verifyWithCli(zip, dir, name) {
  const path = join(dir, name);
  writeFileSync(path, zip);
  return JSON.parse(execFileSync(CLI, ['verify', path, '--json'], { encoding: 'utf8' }));
}

/** @param {Buffer} bytes */
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * @param {ReportPage} page
 * @param {{situation: string, minor?: boolean, country: string}} answers
 */
async function answer(page, answers) {
  await page.waitVisible('#questions');
  await page.evaluate(({ situation, minor, country }) => {
    /** @type {HTMLInputElement} */ (document.querySelector(`input[name=situation][value="${situation}"]`)).click();
    /** @type {HTMLInputElement} */ (document.querySelector(`input[name=minor][value="${minor ? 'yes' : 'no'}"]`)).click();
    /** @type {HTMLSelectElement} */ (document.getElementById('country')).value = country;
  }, { situation: answers.situation, minor: answers.minor ?? false, country: answers.country });
  await page.click('#continue');
  await page.waitVisible('#helplines li');
}

/** @param {ReportPage} page */
const helplineIds = (page) => page.evaluate(() => [...document.querySelectorAll('#helplines > li')].map((li) => /** @type {HTMLElement} */ (li).dataset.helpline), null);

/**
 * @param {string} browserName
 * @param {() => {driver: ReportDriver, server: Awaited<ReturnType<typeof import('../../scripts/serve.mjs').startServer>>, fixtures: import('./harness.mjs').Fixtures}} get
 * @param {{archive: boolean}} capabilities
 */
export function reportTests(browserName, get, capabilities) {
  test(`${browserName}: report an image from the context menu: evidence file verifies, prefilled form, intake gets addresses and hashes`, async () => {
    const { driver, server, fixtures } = get();
    const photo = readFileSync(fixtures.noRisk);
    server.serveFile('/fixture/report-photo.jpg', photo, 'image/jpeg');
    await driver.setExtraHelplines([stubHelpline(server.url)]);
    assert.notEqual(await driver.menuExists(), false, 'the context menu item exists');
    const pageUrl = `${server.url}/sites/report.html`;
    await driver.openPage(pageUrl);
    const report = await driver.openReport(pageUrl, `${server.url}/fixture/report-photo.jpg`);
    try {
      assert.equal(await report.evaluate(() => document.getElementById('page-url')?.textContent, null), pageUrl);
      await answer(report, { situation: 'own-image', country: 'FR' });
      const ids = await helplineIds(report);
      assert.ok(ids.includes('fr-3018') && ids.includes('global-stopncii'), ids.join());
      assert.ok(ids.includes('test-stub-helpline'), ids.join());
      assert.match(await report.evaluate(() => document.getElementById('emergency')?.textContent ?? '', null), /112/);

      await report.click('#make');
      await report.waitVisible('#download');
      const zip = await report.bundleBytes();
      const verdict = verifyWithCli(zip, fixtures.dir, `${browserName}-own-image.zip`);
      assert.equal(verdict.valid, true, JSON.stringify(verdict.problems));
      const m = verdict.manifest;
      assert.equal(m.page.url, pageUrl);
      assert.equal(m.page.title, 'Gallery 42 (report fixture)');
      assert.equal(m.situation, 'own-image');
      assert.equal(m.software.name, 'Sentinelle extension');
      assert.equal(m.images[0].sha256, sha256(photo), 'the right-clicked image\'s hash');
      assert.match(m.images[0].pdq, /^[0-9a-f]{64}$/);
      const paths = m.artefacts.map((/** @type {any} */ a) => a.path);
      assert.ok(paths.includes('artefacts/screenshot.png'), paths.join());
      assert.equal(paths.includes('artefacts/page.mhtml'), capabilities.archive, paths.join());
      assert.ok(Math.abs(Date.parse(m.captured_at) - Date.now()) < 10 * 60_000, 'captured now, in UTC');

      // What a form button will copy is on screen first, with the evidence file named.
      const shown = await report.evaluate(() => document.getElementById('summary-text')?.textContent ?? '', null);
      assert.ok(shown.includes(pageUrl) && shown.includes(m.key.fingerprint) && shown.includes(sha256(photo)), shown);
      // Nothing was sent anywhere before the person pressed a send button.
      assert.equal(server.helpline.intakes.length, 0);
      const before = server.helpline.forms.length;
      await report.click('li[data-helpline="test-stub-helpline"] button[data-action="open-form"]');
      await waitFor(() => server.helpline.forms.length > before, 'the prefilled form opened');
      const form = server.helpline.forms.at(-1);
      assert.equal(form?.page, pageUrl);
      assert.equal(form?.situation, 'own-image');
      assert.equal(form?.time, m.captured_at);

      await report.click('li[data-helpline="test-stub-helpline"] button[data-action="preview-send"]');
      await report.waitVisible('li[data-helpline="test-stub-helpline"] pre.preview');
      const preview = await report.evaluate(() => document.querySelector('li[data-helpline="test-stub-helpline"] pre.preview')?.textContent ?? '', null);
      assert.equal(server.helpline.intakes.length, 0, 'the preview sends nothing');
      await report.click('li[data-helpline="test-stub-helpline"] button[data-action="send"]');
      await waitFor(() => server.helpline.intakes.length === 1, 'the intake received the report');
      const sent = server.helpline.intakes[0];
      assert.equal(sent?.text, preview, 'exactly what was shown was sent');
      const payload = JSON.parse(sent?.text ?? '{}');
      assert.equal(payload.format, 'sentinelle-report-1');
      assert.equal(payload.page.url, pageUrl);
      assert.equal(payload.images[0].sha256, sha256(photo));
      assert.equal(payload.evidence.key_fingerprint, m.key.fingerprint);
      assert.ok((sent?.text.length ?? 0) < 4000, 'addresses and hashes only, no file');
    } finally {
      await report.close();
    }
  });

  test(`${browserName}: child sexual abuse material: one hotline, no screenshot or image bytes in the file or in what is sent`, async () => {
    const { driver, server, fixtures } = get();
    const photo = readFileSync(fixtures.noRisk);
    server.serveFile('/fixture/report-photo.jpg', photo, 'image/jpeg');
    await driver.setExtraHelplines([stubHelpline(server.url)]);
    const pageUrl = `${server.url}/sites/report.html`;
    await driver.openPage(pageUrl);
    const report = await driver.openReport(pageUrl, `${server.url}/fixture/report-photo.jpg`);
    try {
      await answer(report, { situation: 'child-abuse', country: 'FR' });
      assert.equal(await report.evaluate(() => document.getElementById('child-rule')?.hidden, null), false, 'the rule is shown');
      assert.equal(await report.evaluate(() => document.getElementById('keep-screenshot')?.hidden, null), true, 'no screenshot offered');
      const recommended = await report.evaluate(() => [...document.querySelectorAll('#helplines > li')].filter((li) => li.querySelector('.recommended')).map((li) => /** @type {HTMLElement} */ (li).dataset.helpline), null);
      assert.equal(recommended.length, 1, 'one hotline');
      // Even if the page ticked the boxes, the route forbids pictures.
      await report.evaluate(() => { /** @type {HTMLInputElement} */ (document.getElementById('want-screenshot')).checked = true; }, null);
      await report.click('#make');
      await report.waitVisible('#download');
      const zip = await report.bundleBytes();
      const verdict = verifyWithCli(zip, fixtures.dir, `${browserName}-child-abuse.zip`);
      assert.equal(verdict.valid, true, JSON.stringify(verdict.problems));
      assert.deepEqual(verdict.manifest.artefacts.map((/** @type {any} */ a) => a.kind), ['readme']);
      assert.equal(verdict.manifest.images[0].sha256, sha256(photo), 'hashes are kept');
      assert.equal(zip.includes(Buffer.from('\x89PNG', 'latin1')), false, 'no PNG in the zip');
      assert.equal(zip.includes(Buffer.from([0xff, 0xd8, 0xff])), false, 'no JPEG in the zip');
      assert.equal(zip.includes(photo.subarray(200, 264)), false, 'none of the image bytes');

      await report.click('li[data-helpline="test-stub-helpline"] button[data-action="preview-send"]');
      await report.click('li[data-helpline="test-stub-helpline"] button[data-action="send"]');
      await waitFor(() => server.helpline.intakes.some((i) => JSON.parse(i.text).situation === 'child-abuse'), 'sent');
      const sent = /** @type {{text: string}} */ (server.helpline.intakes.find((i) => JSON.parse(i.text).situation === 'child-abuse'));
      assert.doesNotMatch(sent.text, /base64|data:image|iVBOR|\/9j\//, 'no image in what is sent');
      assert.equal(JSON.parse(sent.text).images[0].sha256, sha256(photo));
    } finally {
      await report.close();
    }
  });

  test(`${browserName}: a report and its evidence file go to a real intake, and the receipt kept verifies with the bundle`, async () => {
    const { driver, server, fixtures } = get();
    const intake = await startIntake();
    const helpline = { ...stubHelpline(server.url), id: 'test-real-intake', intake: { url: `${intake.url}/v1/reports`, format: 'sentinelle-report-1' } };
    await driver.setExtraHelplines([helpline]);
    const pageUrl = `${server.url}/sites/report.html`;
    await driver.openPage(pageUrl);
    const report = await driver.openReport(pageUrl, null);
    try {
      await answer(report, { situation: 'own-image', country: 'FR' });
      await report.click('#make');
      await report.waitVisible('#download');
      const zip = await report.bundleBytes();
      const li = 'li[data-helpline="test-real-intake"]';
      await report.click(`${li} button[data-action="preview-send"]`);
      await report.waitVisible(`${li} pre.preview`);
      // The person sees the file's name before choosing to send it; nothing has gone yet.
      const label = await report.evaluate((sel) => document.querySelector(`${sel} #send-evidence`)?.parentElement?.textContent ?? '', li);
      assert.match(label, /sentinelle-evidence-.*\.zip/);
      const token = execFileSync(INTAKE, ['token', 'add', 'e2e', '--role', 'caseworker', '--database', intake.db], { encoding: 'utf8' }).trim();
      const cases = async () => (await (await fetch(`${intake.url}/v1/cases`, { headers: { authorization: `Bearer ${token}` } })).json()).cases;
      assert.equal((await cases()).length, 0, 'the preview sends nothing');
      await report.click(`${li} #send-evidence`);
      const preview = await report.evaluate((sel) => document.querySelector(`${sel} pre.preview`)?.textContent ?? '', li);
      await report.click(`${li} button[data-action="send"]`);
      await report.waitVisible(`${li} a[data-action="save-receipt"]`);
      await report.waitVisible(`${li} [data-result="evidence"]`);
      await waitForAsync(async () => (await report.evaluate((sel) => document.querySelector(`${sel} [data-result="evidence"]`)?.textContent ?? '', li)).length > 0, 'the evidence verdict');
      const status = await report.evaluate((sel) => document.querySelector(`${sel} [role=status]:not([data-result])`)?.textContent ?? '', li);
      assert.match(status, /20\d\d-\d\d-\d\d \d\d:\d\d:\d\d/, 'the time of receipt is shown');

      // The intake has the report as shown, and the evidence file, checked valid.
      const [only] = await cases();
      assert.equal(only.page_url, pageUrl);
      assert.equal(only.evidence, 'valid');
      // The kept receipt (the extension's storage; the same file the save link offers) verifies
      // with the bundle, with the CLI.
      /** @type {any[]} */
      const kept = await report.evaluate(async () => (await /** @type {any} */ (globalThis).chrome.storage.local.get('receipts')).receipts, null);
      assert.equal(kept.length, 1);
      assert.equal(kept[0].report, preview, 'the receipt is for exactly what was shown and sent');
      const file = { format: kept[0].format, intake: kept[0].intake, report: kept[0].report, receipt: kept[0].receipt };
      const receiptPath = join(fixtures.dir, `${browserName}-receipt.json`);
      writeFileSync(receiptPath, JSON.stringify(file));
      const bundlePath = join(fixtures.dir, `${browserName}-sent.zip`);
      writeFileSync(bundlePath, zip);
      const checked = JSON.parse(execFileSync(CLI, ['verify', bundlePath, '--receipt', receiptPath, '--json'], { encoding: 'utf8' }));
      assert.equal(checked.receipt.valid, true, JSON.stringify(checked.receipt));
      assert.equal(checked.receipt.report_id, only.id);
      await report.evaluate(() => /** @type {any} */ (globalThis).chrome.storage.local.remove('receipts'), null);
    } finally {
      await report.close();
      intake.stop();
    }
  });

  test(`${browserName}: the toolbar button reports the page itself`, async () => {
    const { driver, server, fixtures } = get();
    await driver.setExtraHelplines([]);
    const pageUrl = `${server.url}/sites/report.html`;
    await driver.openPage(pageUrl);
    const report = await driver.openReport(pageUrl, null);
    try {
      assert.equal(await report.evaluate(() => document.getElementById('image-url')?.hidden, null), true);
      await answer(report, { situation: 'sextortion', minor: true, country: 'BE' });
      const ids = await helplineIds(report);
      assert.equal(ids[0], 'be-child-focus', ids.join());
      assert.ok(!ids.includes('test-stub-helpline'), 'the added helpline is gone');
      await report.click('#make');
      await report.waitVisible('#download');
      const verdict = verifyWithCli(await report.bundleBytes(), fixtures.dir, `${browserName}-toolbar.zip`);
      assert.equal(verdict.valid, true);
      assert.deepEqual(verdict.manifest.images, []);
    } finally {
      await report.close();
    }
  });
}

/** @param {() => Promise<boolean>} condition @param {string} what */
async function waitForAsync(condition, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** @param {() => boolean} condition @param {string} what */
async function waitFor(condition, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
