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
  tabs: {
    create: async (/** @type {any} */ props) => { created.push(props); return props; },
    sendMessage: async (/** @type {number} */ tabId, /** @type {any} */ msg, /** @type {any} */ options) => {
      ordered.push({ tabId, msg, options });
      return { ok: topAnswers };
    },
  },
  storage: {
    local: {
      get: async (/** @type {string | string[] | null} */ keys) => {
        const wanted = keys === null ? Object.keys(localStore) : [keys].flat();
        return Object.fromEntries(wanted.filter((k) => k in localStore).map((k) => [k, structuredClone(localStore[k])]));
      },
      set: async (/** @type {Record<string, unknown>} */ items) => { Object.assign(localStore, structuredClone(items)); },
      remove: async (/** @type {string} */ key) => { delete localStore[key]; },
      setAccessLevel: async (/** @type {{accessLevel: string}} */ { accessLevel }) => { accessLevels.push(accessLevel); },
    },
    managed: {
      get: async () => {
        // As Chromium's does for seconds after a start, while its policy service loads.
        if (managedLoading) await managedLoading;
        if (managedStore === null) throw new Error('Managed storage manifest not found');
        return structuredClone(managedStore);
      },
    },
  },
};
/** @type {Record<string, any>} */
const localStore = {};
/** What the background told tabs (tabs.sendMessage), and what their top frame answers. */
/** @type {any[]} */
const ordered = [];
let topAnswers = true;
/** @type {Record<string, any> | null} */
let managedStore = null;
/** @type {Promise<void> | null} */
let managedLoading = null;
/** @type {string[]} */
const accessLevels = [];
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
  assert.ok(answers.filter((a) => /** @type {{ok: boolean}} */ (a).ok).length <= 8, 'a few per tab');
  assert.deepEqual(answers.at(-1), { ok: false });
  // One tab flooding leaves the others their guards.
  assert.deepEqual(send({ type: 'sentinelle/guard-register', nonce: nonce() }, { ...contentScript, tab: { id: 9 } }), { ok: true });
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

const OPTIONS = { id: 'abcdefghijklmnopabcdefghijklmnop', tab: { id: 9 }, url: `${EXT}options/options.html` };

/** @param {unknown} msg @param {object} sender @returns {Promise<any>} */
function ask(msg, sender) {
  return new Promise((resolve) => { listener(msg, sender, resolve); });
}

test('settings: pages and content scripts are refused; guards and the options page are answered', async () => {
  const get = { type: 'sentinelle/settings-get' };
  assert.deepEqual(await ask(get, contentScript), { ok: false, code: 'refused' });
  assert.deepEqual(await ask(get, { ...guard, url: 'https://evil.example/guard/guard.html' }), { ok: false, code: 'refused' });
  const fromGuard = await ask(get, guard);
  assert.equal(fromGuard.ok, true);
  assert.equal(fromGuard.settings.profile, 'adult', 'a fresh install is adult, metadata warnings on');
  assert.equal(fromGuard.policyFrom, 'browser');
  assert.deepEqual(await ask({ type: 'sentinelle/settings-set', settings: { profile: 'child' }, pin: '' }, guard), { ok: false, code: 'refused' }, 'a guard cannot change settings');
});

test('a failed guard: only our content script is told whether the photo goes as it is (adult) or stays held back', async () => {
  const failed = { type: 'sentinelle/guard-failed' };
  assert.deepEqual(await ask(failed, guard), { ok: false, code: 'refused' });
  assert.deepEqual(await ask(failed, { ...contentScript, url: `${EXT}report/report.html` }), { ok: false, code: 'refused' });
  assert.deepEqual(await ask(failed, contentScript), { ok: true, failOpen: true }, 'a fresh install is adult');
  localStore.settings = { profile: 'teen' };
  try {
    assert.deepEqual(await ask(failed, contentScript), { ok: true, failOpen: false });
  } finally {
    delete localStore.settings;
  }
});

test('settings: the options page saves; a PIN then guards changes, with delays after failures', async () => {
  const saved = await ask({ type: 'sentinelle/settings-set', settings: { profile: 'child' }, pin: '' }, OPTIONS);
  assert.equal(saved.ok, true);
  assert.equal(saved.settings.rules.location, 'pin');
  assert.equal((await ask({ type: 'sentinelle/pin-set', pin: '2468', currentPin: '' }, OPTIONS)).ok, true);
  assert.equal(JSON.stringify(localStore).includes('2468'), false, 'only the hash is stored');
  assert.deepEqual(await ask({ type: 'sentinelle/pin-set', pin: '1111', currentPin: '' }, OPTIONS), { ok: false, code: 'wrong-pin', waitMs: 0 });
  const denied = await ask({ type: 'sentinelle/settings-set', settings: { profile: 'adult' }, pin: '0000' }, OPTIONS);
  assert.equal(denied.code, 'wrong-pin');
  assert.equal((await ask({ type: 'sentinelle/pin-check', pin: '2468' }, guard)).ok, true, 'the right PIN resets the count');
  for (let i = 0; i < 3; i += 1) await ask({ type: 'sentinelle/pin-check', pin: '9999' }, guard);
  const locked = await ask({ type: 'sentinelle/pin-check', pin: '2468' }, guard);
  assert.equal(locked.ok, false, 'even the right PIN waits after three failures');
  assert.ok(locked.waitMs > 25_000);
  localStore.pinAttempts = { failures: 0, lockedUntil: 0 };
  assert.equal((await ask({ type: 'sentinelle/settings-set', settings: { profile: 'teen' }, pin: '2468' }, OPTIONS)).ok, true);
});

test('settings: a managed policy wins, locks what it sets, and its PIN replaces the local one', async () => {
  managedStore = { rules: { location: 'block' }, blockNudifySites: true, pin: { algorithm: 'PBKDF2-SHA256', iterations: 100000, salt: '00'.repeat(16), hash: 'ab'.repeat(32) } };
  const got = await ask({ type: 'sentinelle/settings-get' }, OPTIONS);
  assert.equal(got.settings.rules.location, 'block');
  assert.ok(got.locked.includes('rules.location') && got.locked.includes('blockNudifySites'));
  assert.equal(got.managedPin, true);
  assert.deepEqual(await ask({ type: 'sentinelle/pin-set', pin: '1357', currentPin: '2468' }, OPTIONS), { ok: false, code: 'locked' });
  assert.equal((await ask({ type: 'sentinelle/pin-check', pin: '2468' }, guard)).ok, false, 'the local PIN no longer opens anything');
  managedStore = null;
});

test('settings: when the browser is slow to answer again, its last answer still locks what it sets; a removal applies once it answers', async () => {
  managedStore = { rules: { location: 'block' } };
  assert.equal((await ask({ type: 'sentinelle/settings-get' }, OPTIONS)).policyFrom, 'browser');
  assert.deepEqual(localStore.managedPolicyCopy, { rules: { location: 'block' } }, 'copied for the next start');
  /** @type {() => void} */
  let loaded = () => {};
  managedLoading = new Promise((resolve) => { loaded = resolve; });
  try {
    const during = await ask({ type: 'sentinelle/settings-get' }, guard);
    assert.equal(during.settings.rules.location, 'block');
    assert.ok(during.locked.includes('rules.location'), 'what the policy locks stays locked');
    managedStore = null;
  } finally {
    loaded();
    managedLoading = null;
  }
  const after = await ask({ type: 'sentinelle/settings-get' }, guard);
  assert.equal(after.policyFrom, 'browser');
  assert.notEqual(after.settings.rules.location, 'block', 'a policy removed meanwhile no longer applies');
  assert.deepEqual(localStore.managedPolicyCopy, {});
});

test('local storage is closed to content scripts where the browser allows it', () => {
  assert.deepEqual(accessLevels, ['TRUSTED_CONTEXTS']);
});

test('a frame\'s request to show its warning over the top page goes to that tab\'s top frame only, from our content script in a frame only', async () => {
  const channel = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const request = { type: 'sentinelle/host-request', channel };
  const inFrame = { ...contentScript, frameId: 4 };
  ordered.length = 0;
  assert.deepEqual(await ask(request, inFrame), { ok: true });
  assert.deepEqual(ordered, [{ tabId: 7, msg: { type: 'sentinelle/host-guard', channel }, options: { frameId: 0 } }]);
  assert.deepEqual(await ask(request, inFrame), { ok: false }, 'a second request within a second is refused');
  assert.equal(ordered.length, 1, 'and not passed on');
  topAnswers = false;
  assert.deepEqual(await ask(request, { ...inFrame, frameId: 5 }), { ok: false }, 'the top frame would not have it');
  topAnswers = true;
  ordered.length = 0;
  assert.deepEqual(await ask(request, contentScript), { ok: false }, 'the top frame asks nothing of itself');
  assert.deepEqual(await ask(request, { ...guard, frameId: 6 }), { ok: false }, 'an extension page is not a content script');
  assert.deepEqual(await ask(request, { ...inFrame, frameId: 7, id: 'another-extension' }), { ok: false });
  assert.equal(send({ ...request, channel: 'x' }, { ...inFrame, frameId: 8 }), undefined, 'a malformed channel is no request');
  assert.deepEqual(ordered, [], 'nothing was passed on');
});
