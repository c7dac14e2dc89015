// The helpline intake's pages for case workers, in Chromium: signed in and used with the keyboard
// only, in English and French; axe-core finds no WCAG 2.2 A/AA violation on any page; report
// text that holds markup shows as text and runs nothing; the pages break no rule of their own
// Content-Security-Policy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, closeEveryBrowser, track } from './harness.mjs';
import { startIntake } from './report.mjs';

const INTAKE = fileURLToPath(new URL('../../target/debug/sentinelle-intake', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'a long passphrase for tests';

/** @type {Awaited<ReturnType<typeof startIntake>>} */
let intake;
/** @type {Record<string, string>} */
const ids = {};
/** The browsers' profile folders, removed at the end. @type {string[]} */
const profiles = [];

/** @param {string} name @param {string} role */
function addUser(name, role) {
  execFileSync(INTAKE, ['user', 'add', name, '--role', role, '--database', intake.db], { input: `${PASSWORD}\n` });
}

/** @param {object} fields */
async function send(fields) {
  const body = JSON.stringify({
    format: 'sentinelle-report-1', helpline: 'school-counsellor', situation: 'own-image', minor: false, country: 'FR', language: 'fr',
    page: { url: 'https://host.example/x', title: 'A page' }, captured_at: '2026-11-23T14:05:09Z', images: [], evidence: null,
    software: { name: 'Sentinelle extension', version: '0.1.0' }, ...fields,
  });
  const answer = await (await fetch(`${intake.url}/v1/reports`, { method: 'POST', body })).json();
  return /** @type {string} */ (answer.id);
}

/** A browser of its own, killed by its profile folder if it will not close. @param {boolean} bypassCSP */
async function browser(bypassCSP) {
  const profile = mkdtempSync(join(tmpdir(), 'sentinelle-intake-pages-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, bypassCSP, locale: 'en-US' });
  track(context, () => { try { execFileSync('pkill', ['-KILL', '-f', `user-data-dir=${profile}`]); } catch { /* gone */ } });
  return context;
}

/** @param {import('playwright-core').Page} page */
async function signIn(page, name = 'alice', lang = 'en') {
  await page.goto(`${intake.url}/login?lang=${lang}`);
  await page.fill('#name', name);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/queue/);
}

/** Violations of WCAG 2.2 A and AA on the current page. @param {import('playwright-core').Page} page */
async function axe(page) {
  await page.addScriptTag({ content: AXE });
  /** @type {{id: string, nodes: {target: string[]}[]}[]} */
  const violations = await page.evaluate(async () => (await /** @type {any} */ (window).axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  })).violations);
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

before(async () => {
  intake = await startIntake();
  addUser('alice', 'caseworker');
  addUser('root', 'admin');
  const pdq = 'f'.repeat(60) + '0000';
  ids.adult = await send({ page: { url: 'https://host.example/gallery/1', title: 'Gallery' }, images: [{ url: 'https://cdn.example/a.jpg', md5: null, sha256: null, pdq, pdq_quality: 100 }] });
  ids.samePage = await send({ page: { url: 'https://host.example/gallery/1?utm_source=x', title: 'Gallery again' }, situation: 'harassment' });
  ids.similar = await send({ page: { url: 'https://other.example/p', title: 'Other' }, minor: true, images: [{ url: 'https://other.example/b.jpg', md5: null, sha256: null, pdq: 'f'.repeat(60) + '0003', pdq_quality: 100 }] });
  ids.abuse = await send({ page: { url: 'https://third.example/q', title: 'Q' }, situation: 'child-abuse' });
  ids.hostile = await send({ page: { url: 'https://evil.example/"><script>document.title="pwned"</script>', title: '<img src=x onerror="document.title=\'pwned\'">' } });
});

after(async () => {
  await closeEveryBrowser();
  intake?.stop();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
});

test('intake pages: a case worker triages with the keyboard only, in English', async () => {
  const context = await browser(false);
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  try {
    await page.goto(`${intake.url}/login?lang=en`);
    // Tab to the name field, type, Tab to the password, type, Enter.
    for (let i = 0; i < 6 && await page.evaluate(() => document.activeElement?.id) !== 'name'; i++) await page.keyboard.press('Tab');
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/queue/);
    // The queue: child abuse first, then the minor; the hostile title is text.
    const order = await page.$$eval('tr[data-case]', (rows) => rows.map((r) => /** @type {HTMLElement} */ (r).dataset.case));
    assert.equal(order[0], ids.abuse);
    assert.equal(order[1], ids.similar);
    // To the adult's case by keyboard: Tab until its link has the focus, then Enter.
    for (let i = 0; i < 60 && await page.evaluate(() => document.activeElement?.textContent) !== ids.adult; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/cases/${ids.adult}`));
    const reasons = await page.$$eval('#duplicates li', (items) => items.map((li) => `${/** @type {HTMLElement} */ (li).dataset.reason} ${li.querySelector('a')?.textContent}`));
    assert.deepEqual(reasons.sort(), [`pdq ${ids.similar}`, `url ${ids.samePage}`].sort());
    // A status change with a note, by keyboard.
    await page.focus('#new-status');
    await page.keyboard.press('ArrowDown'); // in review
    await page.keyboard.press('Tab');
    await page.keyboard.type('Looked at the page; asking the host.');
    for (let i = 0; i < 6 && await page.evaluate(() => document.activeElement?.tagName) !== 'BUTTON'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /in review/.test(document.getElementById('history')?.textContent ?? ''));
    assert.match(await page.textContent('#history') ?? '', /Looked at the page; asking the host\./);
    // The hostile case: its markup is text, nothing ran.
    await page.goto(`${intake.url}/cases/${ids.hostile}`);
    assert.match(await page.textContent('main') ?? '', /<img src=x onerror=/);
    assert.notEqual(await page.title(), 'pwned');
    // The export downloads, from its link in the header, by keyboard.
    await page.goto(`${intake.url}/queue`);
    for (let i = 0; i < 10 && await page.evaluate(() => document.activeElement?.getAttribute('href')) !== '/export.csv'; i++) await page.keyboard.press('Tab');
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    const csv = readFileSync(/** @type {string} */ (await (await download).path()), 'utf8');
    assert.match(csv, new RegExp(`^${ids.adult},.*in-review@`, 'm'));
    assert.deepEqual(problems, [], 'no console error (a CSP violation would be one) and no dialog');
  } finally {
    await context.close();
  }
});

test('intake pages: axe-core finds no WCAG 2.2 A/AA violation, in English and French', async () => {
  const context = await browser(true); // only so axe-core can be injected into pages that allow no script
  const page = await context.newPage();
  try {
    for (const [user, lang] of [['alice', 'en'], ['root', 'fr']]) {
      await context.clearCookies();
      await page.goto(`${intake.url}/login?lang=${lang}`);
      assert.deepEqual(await axe(page), [], `login ${lang}`);
      await signIn(page, user, lang);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const pages = [`/queue?lang=${lang}`, `/cases/${ids.adult}?lang=${lang}`, `/cases/${ids.abuse}?lang=${lang}`, `/cases/${ids.hostile}?lang=${lang}`];
      if (user === 'root') pages.push(`/admin?lang=${lang}`, `/audit?lang=${lang}`);
      for (const path of pages) {
        await page.goto(`${intake.url}${path}`);
        assert.deepEqual(await axe(page), [], path);
      }
      if (lang === 'fr') assert.match(await page.textContent('h1') ?? '', /Journal d’audit/);
    }
  } finally {
    await context.close();
  }
});
