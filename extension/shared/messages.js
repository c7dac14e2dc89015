// The one message protocol of the extension. Every message between the content script, the guard
// frame and the background is named and checked here, so a change to the protocol is a change to
// this file.
//
// Loaded two ways: as a classic content script (listed before content/interceptor.js, which cannot
// `import`) and as a side-effect module import in extension pages. Both read `globalThis`.
(() => {
  'use strict';

  /** Message types. Strings travel; the constants keep them spelt one way. */
  const Type = Object.freeze({
    // content script -> background: "I am about to open a guard frame with this nonce".
    GUARD_REGISTER: 'sentinelle/guard-register',
    // guard frame -> background: "a parent posted me this nonce; did our content script send it?"
    GUARD_CLAIM: 'sentinelle/guard-claim',
    // content script -> guard frame (window.postMessage, with a MessagePort): start of a session.
    GUARD_INIT: 'sentinelle/guard-init',
    // over the MessagePort, content script -> guard: the files to check.
    ANALYZE: 'sentinelle/analyze',
    // over the MessagePort, guard -> content script: the files came; the guard is at work (from
    // now on, no answer in time means a slow check, not a guard that never started).
    WORKING: 'sentinelle/working',
    // over the MessagePort, guard -> content script: make the frame visible, a warning is shown.
    SHOW: 'sentinelle/show',
    // over the MessagePort, guard -> content script: the person's decision (or "pass").
    DECISION: 'sentinelle/decision',
    // over the MessagePort, guard -> content script: the guard could not do its job.
    FAILURE: 'sentinelle/failure',
    // over the MessagePort, content script -> guard: the page just put something in the top layer,
    // which may be drawn over the warning (the warning is raised again; presses wait a moment).
    COVERED: 'sentinelle/covered',
    // guard, options page -> background: the settings in force, what a policy locks, the nudify list.
    SETTINGS_GET: 'sentinelle/settings-get',
    // options page -> background: change local settings (with the PIN when one is set).
    SETTINGS_SET: 'sentinelle/settings-set',
    // options page -> background: set or change the PIN (with the current one when one is set).
    PIN_SET: 'sentinelle/pin-set',
    // guard, options page -> background: is this the PIN? Rate limited.
    PIN_CHECK: 'sentinelle/pin-check',
    // guard -> background: a warning was shown (a count the child can see, nothing else).
    WARNING_SHOWN: 'sentinelle/warning-shown',
    // content script -> background: a guard failed (removed, never started, engine error); does
    // the photo go as it is (adult profile) or stay held back (child, teen)?
    GUARD_FAILED: 'sentinelle/guard-failed',
    // content script in a frame -> background: "show this upload's warning over the top-level
    // page; the files will come on this relay channel" (a frame may be too small for it).
    HOST_REQUEST: 'sentinelle/host-request',
    // background -> the tab's top-frame content script: "put a guard here for this relay channel".
    HOST_GUARD: 'sentinelle/host-guard',
    // over the relay channel (a BroadcastChannel between our two guard frames, which pages cannot
    // join), top guard -> frame's guard, every half second: "still here".
    ALIVE: 'sentinelle/alive',
  });

  /** What the guard decided. `pass`: nothing to warn about, no warning was shown. */
  const Decision = Object.freeze({
    PASS: 'pass',
    CLEAN: 'clean',
    ORIGINAL: 'original',
    CANCEL: 'cancel',
  });

  /** Stable failure codes seen by the content script (JS branches on these, never on text). */
  const FailureCode = Object.freeze({
    ENGINE: 'engine-failed',
    GUARD_GONE: 'guard-gone',
    // The guard said it was at work, and did not answer in time: held back whatever the
    // profile (a busy machine must not let an unchecked photo through).
    TIMEOUT: 'guard-timeout',
    // The guard never said a word (it did not start): by profile, like an engine failure.
    SILENT: 'guard-silent',
    REJECTED: 'guard-rejected',
    // The fix the person chose (strip, blur, crop) could not be made: the photo is held back
    // whatever the profile, since the person asked for it not to go as it is.
    FIX: 'fix-failed',
  });

  const NONCE_RE = /^[0-9a-f-]{36}$/;

  /**
   * @param {unknown} value
   * @returns {value is Record<string, unknown>}
   */
  function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  /**
   * @param {unknown} nonce
   * @returns {nonce is string}
   */
  function isNonce(nonce) {
    return typeof nonce === 'string' && NONCE_RE.test(nonce);
  }

  /**
   * Checks a message sent to the background over runtime messaging. Unknown shapes are refused.
   * @param {unknown} msg
   * @returns {{type: string, nonce: string} | null}
   */
  function parseRuntimeMessage(msg) {
    if (!isRecord(msg)) return null;
    if ((msg.type === Type.GUARD_REGISTER || msg.type === Type.GUARD_CLAIM) && isNonce(msg.nonce)) {
      return { type: msg.type, nonce: msg.nonce };
    }
    return null;
  }

  /**
   * Checks a settings or PIN message (from extension pages only; the background checks who sent
   * it). PINs are strings of at most 12 digits; settings are checked again by settings.js.
   * @param {unknown} msg
   * @returns {{type: 'settings-get'} | {type: 'settings-set', settings: Record<string, unknown>, pin: string}
   *   | {type: 'pin-set', pin: string, currentPin: string} | {type: 'pin-check', pin: string} | {type: 'warning-shown'}
   *   | {type: 'guard-failed'} | null}
   */
  function parseSettingsMessage(msg) {
    if (!isRecord(msg)) return null;
    const pin = (/** @type {unknown} */ v) => (typeof v === 'string' && /^\d{0,12}$/.test(v) ? v : null);
    switch (msg.type) {
      case Type.SETTINGS_GET: return { type: 'settings-get' };
      case Type.WARNING_SHOWN: return { type: 'warning-shown' };
      case Type.GUARD_FAILED: return { type: 'guard-failed' };
      case Type.PIN_CHECK: {
        const p = pin(msg.pin);
        return p === null ? null : { type: 'pin-check', pin: p };
      }
      case Type.PIN_SET: {
        const p = pin(msg.pin);
        const c = pin(msg.currentPin ?? '');
        return p === null || c === null ? null : { type: 'pin-set', pin: p, currentPin: c };
      }
      case Type.SETTINGS_SET: {
        const p = pin(msg.pin ?? '');
        return p === null || !isRecord(msg.settings) ? null : { type: 'settings-set', settings: msg.settings, pin: p };
      }
      default: return null;
    }
  }

  /**
   * Checks a request to show a frame's warning over the top-level page (content script ->
   * background) or the background's order to the top frame. `channel` names the relay channel.
   * @param {unknown} msg
   * @returns {{type: 'host-request' | 'host-guard', channel: string} | null}
   */
  function parseHostMessage(msg) {
    if (!isRecord(msg) || !isNonce(msg.channel)) return null;
    if (msg.type === Type.HOST_REQUEST) return { type: 'host-request', channel: msg.channel };
    if (msg.type === Type.HOST_GUARD) return { type: 'host-guard', channel: msg.channel };
    return null;
  }

  /**
   * Checks the init message a guard frame receives through window.postMessage. `relay`: this
   * guard is put in the top-level page for a frame's upload, whose files come on that channel.
   * @param {unknown} msg
   * @returns {{nonce: string, relay: string | null} | null}
   */
  function parseGuardInit(msg) {
    if (!isRecord(msg) || msg.type !== Type.GUARD_INIT || !isNonce(msg.nonce)) return null;
    return { nonce: msg.nonce, relay: isNonce(msg.relay) ? msg.relay : null };
  }

  /**
   * Checks the guard's answer on the port. Files must be real File objects.
   * @param {unknown} msg
   * `copied`: the cleaned copy was put on the clipboard (a paste the page cannot be given again).
   * @returns {{type: 'show'} | {type: 'decision', decision: string, files: File[], copied: boolean} | {type: 'failure', code: string} | null}
   */
  function parseGuardReply(msg) {
    if (!isRecord(msg)) return null;
    // `here`: a frame's guard that was to pass the warning to the top page shows it itself.
    if (msg.type === Type.SHOW) return { type: 'show', here: msg.here === true };
    if (msg.type === Type.WORKING) return { type: 'working' };
    if (msg.type === Type.FAILURE && typeof msg.code === 'string') {
      return { type: 'failure', code: msg.code };
    }
    if (msg.type === Type.DECISION && Object.values(Decision).includes(/** @type {any} */ (msg.decision))) {
      const files = Array.isArray(msg.files) ? msg.files : [];
      if (!files.every((f) => f instanceof File)) return null;
      return { type: 'decision', decision: /** @type {string} */ (msg.decision), files, copied: msg.copied === true };
    }
    return null;
  }

  /**
   * Checks the request a guard receives on its port.
   * @param {unknown} msg
   * `folder`: the files come from a folder upload, whose relative paths a cleaned copy would lose.
   * `host`: the site the files are given to (its settings and lists apply).
   * `clipboard`: the files were pasted where the browser cannot hand the page a cleaned copy
   * (Firefox): a cleaned copy goes to the clipboard, for the person to paste again.
   * `chosenAt`: when the browser delivered the files (ms since the epoch, `performance.timeOrigin`
   * based), from which the guard measures its time to warning; null when absent or not a number.
   * `relay`: the warning is shown over the top-level page by the guard there, reached on this
   * channel (this guard only passes the request on and the answers back); null: shown here.
   * @returns {{files: File[], folder: boolean, host: string, clipboard: boolean, chosenAt: number | null, relay: string | null} | null}
   */
  function parseAnalyzeRequest(msg) {
    if (!isRecord(msg) || msg.type !== Type.ANALYZE || !Array.isArray(msg.files)) return null;
    if (msg.files.length === 0 || !msg.files.every((f) => f instanceof File)) return null;
    const host = typeof msg.host === 'string' && msg.host.length <= 253 ? msg.host.toLowerCase() : '';
    const chosenAt = typeof msg.chosenAt === 'number' && Number.isFinite(msg.chosenAt) ? msg.chosenAt : null;
    const relay = isNonce(msg.relay) ? msg.relay : null;
    return { files: msg.files, folder: msg.folder === true, host, clipboard: msg.clipboard === true, chosenAt, relay };
  }

  /**
   * Whether a message on the relay channel is the top guard's "still here".
   * @param {unknown} msg
   */
  function isAlive(msg) {
    return isRecord(msg) && msg.type === Type.ALIVE;
  }

  /**
   * Whether a message on the guard's port (after the request) says the page covered the warning.
   * @param {unknown} msg
   */
  function isCoveredNotice(msg) {
    return isRecord(msg) && msg.type === Type.COVERED;
  }

  const api = Object.freeze({
    Type,
    Decision,
    FailureCode,
    isNonce,
    parseRuntimeMessage,
    parseSettingsMessage,
    parseGuardInit,
    parseGuardReply,
    parseAnalyzeRequest,
    parseHostMessage,
    isAlive,
    isCoveredNotice,
  });
  /** @type {any} */ (globalThis).SentinelleMessages = api;
})();
