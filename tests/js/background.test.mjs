// The background vouches for guard frames. These tests load it against a fake `chrome` and try
// what a hostile page could: forged senders, replayed nonces, guards in another tab.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const EXT = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
/** @type {(msg: unknown, sender: object, respond: (r: unknown) => void) => boolean} */
let listener = () => false;
/** @type {Record<string, Function>} */
const listeners = {};
/** @type {any[]} */
const created = [];
/** @type {any[]} */
const menus = [];
const hook = (/** @type {string} */ name) => ({ addListener: (/** @type {Function} */ fn) => { listeners[name] = fn; } });
/** @type {any} */ (globalThis).chrome = {
  runtime: {
    id: 'abcdefghijklmnopabcdefghijklmnop',
    getURL: (/** @type {string} */ path) => `${EXT}${path}`,
    onMessage: { addListener: (/** @type {typeof listener} */ fn) => { listener = fn; } },
    onInstalled: hook('installed'),
  },
  action: { onClicked: hook('action') },
  contextMenus: {
    onClicked: hook('menu'),
    removeAll: (/** @type {Function} */ done) => { menus.length = 0; done(); },
    create: (/** @type {any} */ item) => { menus.push(item); },
  },
  i18n: { getMessage: (/** @type {string} */ key) => `msg:${key}` },
  tabs: { create: async (/** @type {any} */ props) => { created.push(props); return props; } },
};
await import('../../extension/background/background.js');

/** @param {unknown} msg @param {object} sender */
function send(msg, sender) {
  /** @type {unknown} */
  let answer;
  listener(msg, sender, (r) => { answer = r; });
  return answer;
}

const contentScript = { id: 'abcdefghijklmnopabcdefghijklmnop', tab: { id: 7 }, frameId: 0, url: 'https://site.example/upload' };
const guard = { id: 'abcdefghijklmnopabcdefghijklmnop', tab: { id: 7 }, frameId: 3, url: `${EXT}guard/guard.html` };
const nonce = () => crypto.randomUUID();

test('a nonce registered by our content script is vouched for once, to our guard in the same tab', () => {
  const n = nonce();
  assert.deepEqual(send({ type: 'sentinelle/guard-register', nonce: n }, contentScript), { ok: true });
  assert.deepEqual(send({ type: 'sentinelle/guard-claim', nonce: n }, guard), { ok: true });
  assert.deepEqual(send({ type: 'sentinelle/guard-claim', nonce: n }, guard), { ok: false }, 'no replay');
});

test('an unregistered nonce (a page posting its own init) is refused', () => {
  assert.deepEqual(send({ type: 'sentinelle/guard-claim', nonce: nonce() }, guard), { ok: false });
});

test('a claim from another page, or from a guard in another tab, is refused', () => {
  const n = nonce();
  send({ type: 'sentinelle/guard-register', nonce: n }, contentScript);
  assert.deepEqual(send({ type: 'sentinelle/guard-claim', nonce: n }, { ...contentScript }), { ok: false });
  const m = nonce();
  send({ type: 'sentinelle/guard-register', nonce: m }, contentScript);
  assert.deepEqual(send({ type: 'sentinelle/guard-claim', nonce: m }, { ...guard, tab: { id: 8 } }), { ok: false });
});

test('registrations from other extensions or from extension pages are refused', () => {
  assert.deepEqual(send({ type: 'sentinelle/guard-register', nonce: nonce() }, { ...contentScript, id: 'other' }), { ok: false });
  assert.deepEqual(send({ type: 'sentinelle/guard-register', nonce: nonce() }, { ...guard }), { ok: false });
});

test('unknown messages get no answer at all', () => {
  assert.equal(send({ type: 'sentinelle/give-me-settings' }, contentScript), undefined);
  assert.equal(send('hello', contentScript), undefined);
});

test('a page cannot flood the background with registrations', () => {
  const answers = Array.from({ length: 200 }, () => send({ type: 'sentinelle/guard-register', nonce: nonce() }, contentScript));
  assert.ok(answers.filter((a) => /** @type {{ok: boolean}} */ (a).ok).length <= 64);
  assert.deepEqual(answers.at(-1), { ok: false });
});

test('install makes one context menu item for pages, images and links', () => {
  listeners.installed?.();
  assert.deepEqual(menus, [{ id: 'sentinelle-report', title: 'msg:menuReport', contexts: ['page', 'image', 'link'] }]);
});

test('the toolbar button and the menu open the report page next to the tab, with only its id and the image address', async () => {
  created.length = 0;
  listeners.action?.({ id: 12, index: 3 });
  listeners.menu?.({ menuItemId: 'sentinelle-report', mediaType: 'image', srcUrl: 'https://cdn.example/a.jpg', linkUrl: 'javascript:alert(1)' }, { id: 12, index: 3 });
  listeners.menu?.({ menuItemId: 'something-else' }, { id: 12, index: 3 });
  listeners.menu?.({ menuItemId: 'sentinelle-report', mediaType: 'video', srcUrl: 'https://cdn.example/v.mp4' }, { id: 13, index: 0 });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(created.length, 3, 'one page per press, none for another menu');
  const urls = created.map((c) => new URL(c.url));
  assert.ok(urls.every((u) => u.href.startsWith(`${EXT}report/report.html?`)));
  assert.deepEqual(Object.fromEntries(urls[0].searchParams), { tab: '12' });
  assert.deepEqual(Object.fromEntries(urls[1].searchParams), { tab: '12', src: 'https://cdn.example/a.jpg' }, 'a javascript: link is dropped');
  assert.deepEqual(Object.fromEntries(urls[2].searchParams), { tab: '13' }, 'only images are hashed');
  assert.equal(created[0].index, 4);
  assert.equal(created[0].openerTabId, 12);
  // A tab without an id (devtools, say) opens nothing.
  await /** @type {any} */ (globalThis).sentinelleOpenReport({ index: 1 });
  assert.equal(created.length, 3);
});
