// Background router. It does one job in this version: vouch for guard frames. A content script
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
