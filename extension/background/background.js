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

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);

/** Nonces live this long: a guard frame loads in well under a second. */
const NONCE_TTL_MS = 60_000;
/** A page cannot flood the background with registrations. */
const MAX_PENDING_NONCES = 64;

/** @type {Map<string, {tabId: number, frameId: number, expires: number}>} */
const pendingNonces = new Map();

const GUARD_URL = chrome.runtime.getURL('guard/guard.html');

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
  return sender.id === chrome.runtime.id && typeof sender.url === 'string'
    && sender.url.split(/[?#]/)[0] === GUARD_URL;
}

chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  const msg = M.parseRuntimeMessage(raw);
  if (!msg) return false;
  const now = Date.now();
  forgetExpired(now);

  if (msg.type === M.Type.GUARD_REGISTER) {
    if (!isOurContentScript(sender) || pendingNonces.size >= MAX_PENDING_NONCES) {
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
