// Background router. Two jobs: vouch for guard frames, and open the report page for a tab
// (toolbar button, context menu on a page, an image or a link).
//
// Guard frames: A content script
// registers a one-time nonce before it opens a guard; the guard frame claims it. A page that frames
// guard.html itself, or posts a forged init message, cannot produce a registered nonce, so the
// guard refuses to work for it.
//
// Discipline (after uBO Lite / Privacy Badger): every message's sender is checked, unknown messages
// are refused, nothing here touches the network.
import '../shared/messages.js';
import { STRICT, merge, normaliseHost, sanitize } from '../shared/settings.js';
import { policyReader } from '../shared/managed-policy.js';
import { afterAttempt, hashPin, isPinRecord, validPin, verifyPin, waitBeforeAttempt } from './pin.js';

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);

/** Nonces live this long: a guard frame loads in well under a second. */
const NONCE_TTL_MS = 60_000;
/** A page cannot flood the background with registrations. */
const MAX_PENDING_NONCES = 64;
/** …nor can one tab use them all up for the others. */
const MAX_PENDING_NONCES_PER_TAB = 8;

/** @type {Map<string, {tabId: number, frameId: number, expires: number}>} */
const pendingNonces = new Map();

const GUARD_URL = chrome.runtime.getURL('guard/guard.html');

/** When each frame (tab:frame) last asked for its warning over the top page. */
/** @type {Map<string, number>} */
const lastHostRequest = new Map();
const HOST_EVERY_MS = 1_000;

/** @param {number} now */
function forgetExpired(now) {
  for (const [nonce, entry] of pendingNonces) {
    if (entry.expires <= now) pendingNonces.delete(nonce);
  }
}

/**
 * @param {chrome.runtime.MessageSender} sender
 * @returns {boolean} the sender is a content script of ours running in a web page tab
 */
function isOurContentScript(sender) {
  return sender.id === chrome.runtime.id && typeof sender.tab?.id === 'number' && typeof sender.url === 'string'
    && !sender.url.startsWith(chrome.runtime.getURL(''));
}

/**
 * @param {chrome.runtime.MessageSender} sender
 * @returns {boolean} the sender is our guard page (inside a tab)
 */
function isOurGuard(sender) {
  return isOurPage(sender, GUARD_URL);
}

/**
 * @param {chrome.runtime.MessageSender} sender
 * @param {string} page an extension page's address, without query or fragment
 * @returns {boolean} the sender is that page of ours
 */
function isOurPage(sender, page) {
  return sender.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.split(/[?#]/)[0] === page;
}

chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  const settingsMessage = M.parseSettingsMessage(raw);
  if (settingsMessage) {
    handleSettings(settingsMessage, sender).then(sendResponse, (error) => {
      console.error('Sentinelle settings', error);
      sendResponse({ ok: false, code: 'failed' });
    });
    return true;
  }
  const host = M.parseHostMessage(raw);
  if (host?.type === 'host-request') {
    // A frame's upload: its warning is shown over the top-level page of the same tab, by our
    // content script there (none there, or it refuses: the frame shows the warning itself). At
    // most one a second per frame: a page that fakes uploads in a frame cannot fill the top page
    // with warnings (the top frame holds a few at most, too).
    const tabId = sender.tab?.id;
    const key = `${tabId}:${sender.frameId}`;
    const now = Date.now();
    if (!isOurContentScript(sender) || tabId === undefined || !sender.frameId || now - (lastHostRequest.get(key) ?? -Infinity) < HOST_EVERY_MS) {
      sendResponse({ ok: false });
      return false;
    }
    lastHostRequest.set(key, now);
    if (lastHostRequest.size > 256) lastHostRequest.delete(/** @type {string} */ (lastHostRequest.keys().next().value));
    chrome.tabs.sendMessage(tabId, { type: M.Type.HOST_GUARD, channel: host.channel }, { frameId: 0 })
      .then((answer) => sendResponse({ ok: answer?.ok === true }), () => sendResponse({ ok: false }));
    return true;
  }
  const msg = M.parseRuntimeMessage(raw);
  if (!msg) return false;
  const now = Date.now();
  forgetExpired(now);

  if (msg.type === M.Type.GUARD_REGISTER) {
    const tabId = sender.tab?.id;
    const inTab = [...pendingNonces.values()].filter((entry) => entry.tabId === tabId).length;
    if (!isOurContentScript(sender) || pendingNonces.size >= MAX_PENDING_NONCES || inTab >= MAX_PENDING_NONCES_PER_TAB) {
      sendResponse({ ok: false });
      return false;
    }
    pendingNonces.set(msg.nonce, {
      tabId: /** @type {number} */ (sender.tab?.id),
      frameId: sender.frameId ?? 0,
      expires: now + NONCE_TTL_MS,
    });
    sendResponse({ ok: true });
    return false;
  }

  // GUARD_CLAIM: one use only, and only from our guard page in the same tab.
  const entry = pendingNonces.get(msg.nonce);
  pendingNonces.delete(msg.nonce);
  const sameTab = sender.tab?.id === undefined || sender.tab.id === entry?.tabId;
  sendResponse({ ok: Boolean(entry) && isOurGuard(sender) && sameTab });
  return false;
});

// ---- Settings, PIN, counts --------------------------------------------------------------------
// Local settings live in storage.local ("settings"); a managed policy (storage.managed) beats them
// and the PIN. Until the policy is known (the browser's answer, or the copy of the last start's),
// the strictest settings apply.

const OPTIONS_URL = chrome.runtime.getURL('options/options.html');

/** The managed policy, or the last start's copy while the browser loads it (see shared/managed-policy.js). */
const policies = policyReader({ managed: chrome.storage.managed, local: chrome.storage.local });
// Asked at every start of this worker (a browser start among them), so that the browser's answer,
// and the copy kept of it, are ready before the first upload needs them.
policies.live().catch(() => {});
// The copy (like the settings and the PIN) is trusted: only the extension's own pages may write
// local storage, not its content scripts, which run inside web pages and never use it (Chromium;
// Firefox keeps local storage open to content scripts, and has no such switch).
try {
  chrome.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch(() => {});
} catch { /* a browser that checks the area and refuses at once */ }

/** The managed policy (sanitised later), `{}` without one, or null when none is known yet. */
async function managedPolicy() {
  return (await policies.read()).policy;
}

/** @type {string[] | null} */
let shippedNudifySites = null;
/**
 * The nudify and face-swap services: the shipped list, plus any a policy (or, for tests and
 * parents, local storage) adds under `extraNudifySites`.
 * @param {Record<string, unknown> | null} policy as `managedPolicy()` answered
 */
async function loadNudifySites(policy) {
  if (!shippedNudifySites) {
    try {
      const data = await (await fetch(chrome.runtime.getURL('data/deterrence.json'))).json();
      shippedNudifySites = Array.isArray(data.sites) ? data.sites.map((/** @type {any} */ s) => String(s.domain)) : [];
    } catch {
      shippedNudifySites = [];
    }
  }
  const { extraNudifySites } = await chrome.storage.local.get('extraNudifySites');
  const extra = [policy?.extraNudifySites, extraNudifySites].flatMap((list) => (Array.isArray(list) ? list : []))
    .map(normaliseHost).filter((h) => h !== null);
  return [.../** @type {string[]} */ (shippedNudifySites), .../** @type {string[]} */ (extra)];
}

/**
 * The settings in force. Each message reads the policy once (`managedPolicy()` may wait its
 * whole timeout) and hands it to what needs it.
 * @param {Record<string, unknown> | null} policy as `managedPolicy()` answered
 */
async function effectiveSettings(policy) {
  const stored = await chrome.storage.local.get(['settings', 'pin', 'counts']);
  if (policy === null) {
    return { settings: STRICT, locked: ['*'], pinSet: true, managedPin: false, counts: stored.counts ?? {}, policyProblems: ['the policy did not answer: strict settings apply'] };
  }
  const { settings: policySettings, ...policyRest } = policy;
  const managed = sanitize(policySettings ?? pickSettings(policyRest));
  const local = sanitize(stored.settings ?? {});
  const { settings, locked } = merge(local.value, managed.value, new Date().getFullYear());
  const managedPin = isPinRecord(policy.pin);
  return {
    settings,
    locked,
    pinSet: managedPin || isPinRecord(stored.pin),
    managedPin,
    counts: stored.counts ?? {},
    policyProblems: managed.problems,
  };
}

/** A policy may give settings at its top level (the managed schema's shape). */
/** @param {Record<string, unknown>} policy */
function pickSettings(policy) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const key of ['profile', 'birthYear', 'ages', 'rules', 'sites', 'blockNudifySites', 'showCounts']) {
    if (policy[key] !== undefined) out[key] = policy[key];
  }
  return out;
}

/**
 * The PIN record in force: the policy's, else the local one.
 * @param {Record<string, unknown> | null} policy as `managedPolicy()` answered
 */
async function pinRecord(policy) {
  if (policy && isPinRecord(policy.pin)) return policy.pin;
  const { pin } = await chrome.storage.local.get('pin');
  return isPinRecord(pin) ? pin : null;
}

/**
 * Checks a PIN, with growing delays after failures (kept in storage.local, so closing the tab or
 * restarting the browser does not reset them).
 * @param {string} pin
 * @param {Record<string, unknown> | null} policy as `managedPolicy()` answered
 * @returns {Promise<{ok: boolean, waitMs: number, noPin?: boolean}>}
 */
async function checkPin(pin, policy) {
  const record = await pinRecord(policy);
  if (!record) return { ok: false, waitMs: 0, noPin: true };
  const now = Date.now();
  const { pinAttempts } = /** @type {{pinAttempts?: import('./pin.js').AttemptState}} */ (await chrome.storage.local.get('pinAttempts'));
  const state = pinAttempts && Number.isFinite(pinAttempts.failures) ? pinAttempts : { failures: 0, lockedUntil: 0 };
  const wait = waitBeforeAttempt(state, now);
  if (wait > 0) return { ok: false, waitMs: wait };
  const ok = await verifyPin(pin, record);
  const next = afterAttempt(state, ok, now);
  await chrome.storage.local.set({ pinAttempts: next });
  return { ok, waitMs: waitBeforeAttempt(next, now) };
}

/**
 * @param {NonNullable<ReturnType<SentinelleMessagesApi['parseSettingsMessage']>>} msg
 * @param {chrome.runtime.MessageSender} sender
 */
async function handleSettings(msg, sender) {
  const fromGuard = isOurGuard(sender);
  const fromOptions = isOurPage(sender, OPTIONS_URL);
  if (msg.type === 'settings-get') {
    if (!fromGuard && !fromOptions) return { ok: false, code: 'refused' };
    const { policy, from } = await policies.read();
    return { ok: true, ...(await effectiveSettings(policy)), nudifySites: await loadNudifySites(policy), policyFrom: from };
  }
  if (msg.type === 'warning-shown') {
    if (!fromGuard) return { ok: false, code: 'refused' };
    const { counts } = /** @type {{counts?: {warnings?: number}}} */ (await chrome.storage.local.get('counts'));
    const next = { warnings: (counts?.warnings ?? 0) + 1 };
    await chrome.storage.local.set({ counts: next });
    return { ok: true };
  }
  if (msg.type === 'guard-failed') {
    if (!isOurContentScript(sender)) return { ok: false, code: 'refused' };
    // Adults get the photo through with a notice; children and teens have it held back.
    const { settings } = await effectiveSettings(await managedPolicy());
    return { ok: true, failOpen: settings.profile === 'adult' };
  }
  if (msg.type === 'pin-check') {
    if (!fromGuard && !fromOptions) return { ok: false, code: 'refused' };
    return checkPin(msg.pin, await managedPolicy());
  }
  if (!fromOptions) return { ok: false, code: 'refused' };
  const policy = await managedPolicy();
  const current = await effectiveSettings(policy);
  if (msg.type === 'pin-set') {
    if (current.managedPin) return { ok: false, code: 'locked' };
    if (!validPin(msg.pin)) return { ok: false, code: 'bad-pin' };
    if (current.pinSet) {
      const check = await checkPin(msg.currentPin, policy);
      if (!check.ok) return { ok: false, code: 'wrong-pin', waitMs: check.waitMs };
    }
    await chrome.storage.local.set({ pin: await hashPin(msg.pin), pinAttempts: { failures: 0, lockedUntil: 0 } });
    return { ok: true };
  }
  // settings-set: the PIN when one is set; keys a policy locks cannot change.
  if (current.pinSet) {
    const check = await checkPin(msg.pin, policy);
    if (!check.ok) return { ok: false, code: 'wrong-pin', waitMs: check.waitMs };
  }
  const { value, problems } = sanitize(msg.settings);
  if (problems.length) return { ok: false, code: 'invalid', problems };
  const lockedKeys = Object.keys(value).filter((key) => current.locked.includes(key) || current.locked.includes('*')
    || (key === 'rules' && Object.keys(value.rules ?? {}).some((r) => current.locked.includes(`rules.${r}`))));
  if (lockedKeys.length) return { ok: false, code: 'locked', problems: lockedKeys };
  await chrome.storage.local.set({ settings: value });
  return { ok: true, ...(await effectiveSettings(policy)) };
}

// ---- Reporting ---------------------------------------------------------------------------------

const REPORT_MENU_ID = 'sentinelle-report';
const REPORT_PAGE = 'report/report.html';

/**
 * Opens the report flow for a tab, next to it. Only the tab id and the address of the image
 * right-clicked travel (in the page address); the report page reads the rest itself, and captures
 * nothing until the person has said what happened.
 * @param {chrome.tabs.Tab | undefined} tab
 * @param {{srcUrl?: string, linkUrl?: string}} [context]
 */
async function openReport(tab, context = {}) {
  if (typeof tab?.id !== 'number' || tab.id < 0) return;
  const params = new URLSearchParams({ tab: String(tab.id) });
  if (context.srcUrl && /^(https?|data|blob):/.test(context.srcUrl)) params.set('src', context.srcUrl);
  if (context.linkUrl && /^https?:/.test(context.linkUrl)) params.set('link', context.linkUrl);
  await chrome.tabs.create({
    url: chrome.runtime.getURL(`${REPORT_PAGE}?${params}`),
    index: typeof tab.index === 'number' ? tab.index + 1 : undefined,
    openerTabId: tab.id,
    active: true,
  });
}

chrome.action.onClicked.addListener((tab) => { openReport(tab).catch(console.error); });

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId !== REPORT_MENU_ID) return;
  openReport(tab, { srcUrl: info.mediaType === 'image' ? info.srcUrl : undefined, linkUrl: info.linkUrl }).catch(console.error);
});

// Menus persist across restarts but not across updates: make them on install and update.
chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({
      id: REPORT_MENU_ID,
      title: chrome.i18n.getMessage('menuReport'),
      contexts: ['page', 'image', 'link'],
    });
  });
});

// For the end-to-end tests, which cannot press the browser's own toolbar or menus: the same
// function the listeners call. It only opens an extension page; pages cannot reach it.
/** @type {any} */ (globalThis).sentinelleOpenReport = openReport;
