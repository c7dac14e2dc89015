// The guard frame: an extension page inside the page's tab, out of the page's reach. It proves
// to itself that its parent is our content script (a nonce the background vouches for), checks the
// files with the wasm engine, and either answers "pass" at once or shows the warning and answers
// with the person's choice. Clicks are only taken from the person (isTrusted).
import '../shared/messages.js';
import init, { analyze, strip } from '../pkg/sentinelle.js';
import { describe, needsWarning } from './describe.js';

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);

/** Bigger files are not read into memory; the engine would refuse them anyway (too-large). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** @param {string} key @param {string[]} [subs] */
const t = (key, subs) => chrome.i18n.getMessage(key, subs);
const locale = chrome.i18n.getUILanguage();

/** @param {string} id */
function el(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`guard.html lacks #${id}`);
  return node;
}

/**
 * Reads the code of an engine error (the wasm facade sets `code`; anything else is an engine bug).
 * @param {unknown} error
 */
function errorCode(error) {
  const code = /** @type {{code?: unknown}} */ (error)?.code;
  return typeof code === 'string' ? code : 'engine-failed';
}

/**
 * @param {File} file
 * @returns {Promise<import('./describe.js').FileReport & {bytes: Uint8Array | null}>}
 */
async function check(file) {
  if (file.size > MAX_FILE_BYTES) return { name: file.name, analysis: null, errorCode: 'too-large', bytes: null };
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { name: file.name, analysis: analyze(bytes), errorCode: null, bytes };
  } catch (error) {
    return { name: file.name, analysis: null, errorCode: errorCode(error), bytes };
  }
}

/**
 * A cleaned copy with the same name, type and date, so the site treats it like the original.
 * @param {File} file
 * @param {Uint8Array} bytes
 */
function cleanedFile(file, bytes) {
  // wasm-bindgen copies the Vec<u8> out of wasm memory into a fresh (non-shared) ArrayBuffer.
  const cleaned = /** @type {Uint8Array<ArrayBuffer>} */ (strip(bytes));
  return new File([cleaned], file.name, { type: file.type, lastModified: file.lastModified });
}

/**
 * @param {MessagePort} port
 * @param {File[]} files
 * @param {boolean} folder
 */
async function serve(port, files, folder) {
  await init();
  const reports = await Promise.all(files.map(check));
  if (!reports.some(needsWarning)) {
    port.postMessage({ type: M.Type.DECISION, decision: M.Decision.PASS, files: [] });
    return;
  }
  const warning = describe(reports, locale, t, { folder });
  render(warning);
  port.postMessage({ type: M.Type.SHOW });

  const decision = await choice(warning.canClean);
  if (decision !== M.Decision.CLEAN) {
    port.postMessage({ type: M.Type.DECISION, decision, files: [] });
    return;
  }
  el('busy').textContent = t('busyCleaning');
  el('busy').hidden = false;
  const cleaned = files.map((file, i) => {
    const report = reports[i];
    return report?.bytes && report.analysis && report.analysis.findings.length > 0 ? cleanedFile(file, report.bytes) : file;
  });
  port.postMessage({ type: M.Type.DECISION, decision, files: cleaned });
}

/** @param {import('./describe.js').Warning} warning */
function render(warning) {
  document.documentElement.lang = t('@@ui_locale').replace('_', '-');
  document.documentElement.dir = t('dir') === 'rtl' ? 'rtl' : 'ltr';
  el('title').textContent = warning.title;
  el('summary').textContent = warning.summary;
  const list = el('details');
  list.replaceChildren(...warning.details.map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
  list.hidden = warning.details.length === 0;
  el('reassure').textContent = t('reassure');
  el('clean').textContent = warning.cleanLabel;
  el('clean').hidden = !warning.canClean;
  el('original').textContent = t('actionOriginal');
  el('cancel').textContent = t('actionCancel');
  /** @type {HTMLElement} */ (document.querySelector('.backdrop')).hidden = false;
}

/**
 * Waits for the person's choice: a trusted click on a button, or Escape (cancel). Tab stays
 * inside the dialog.
 * @param {boolean} canClean
 * @returns {Promise<string>}
 */
function choice(canClean) {
  const buttons = /** @type {HTMLButtonElement[]} */ (Array.from(document.querySelectorAll('.actions button')))
    .filter((b) => !b.hidden);
  const first = buttons[0];
  const last = buttons[buttons.length - 1];
  // The safe choice gets the focus. Firefox refuses focus while the frame is still hidden, so
  // try again when the content script focuses the frame after making it visible.
  const safe = canClean ? el('clean') : el('cancel');
  const focusSafe = () => {
    if (!document.activeElement || document.activeElement === document.body) safe.focus();
  };
  focusSafe();
  window.addEventListener('focus', focusSafe);
  // Clickjacking: where the browser can tell (Chromium's IntersectionObserver v2), a button press
  // does not count while something covers the warning or makes it transparent; the person is told,
  // and Escape still cancels.
  // The first reading may come while the frame is still hidden, and a dialog clipped by a small
  // frame never reaches a ratio of 1: use many thresholds, and start afresh each time the frame
  // gets the focus (the content script focuses it once it is visible and scrolled into view).
  let obscured = false;
  /** @type {IntersectionObserver | null} */
  let observer = null;
  const track = () => {
    if (!('IntersectionObserver' in window)) return;
    observer?.disconnect();
    observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const visible = /** @type {{isVisible?: boolean}} */ (entry).isVisible;
        if (visible !== undefined) obscured = !visible;
      }
    }, /** @type {IntersectionObserverInit} */ ({
      trackVisibility: true, delay: 100, threshold: Array.from({ length: 11 }, (_, i) => i / 10),
    }));
    observer.observe(el('clean').closest('.dialog') ?? document.body);
  };
  track();
  window.addEventListener('focus', track);
  return new Promise((resolve) => {
    /** @param {string} decision */
    const finish = (decision) => {
      for (const b of buttons) b.disabled = true;
      resolve(decision);
    };
    for (const button of buttons) {
      button.addEventListener('click', (event) => {
        if (!event.isTrusted || !button.dataset.decision) return;
        if (obscured) {
          el('busy').textContent = t('obscured');
          el('busy').hidden = false;
          return;
        }
        finish(button.dataset.decision);
      });
    }
    document.addEventListener('keydown', (event) => {
      if (!event.isTrusted) return;
      if (event.key === 'Escape') finish(M.Decision.CANCEL);
      if (event.key === 'Tab' && first && last) {
        const active = document.activeElement;
        if (event.shiftKey && active === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
      }
    });
  });
}

/**
 * Takes the first init message whose nonce the background vouches for; ignores everything else.
 * @param {MessageEvent} event
 */
async function onInit(event) {
  if (event.source !== window.parent) return;
  const hello = M.parseGuardInit(event.data);
  const port = event.ports[0];
  if (!hello || !port) return;
  const claim = await chrome.runtime.sendMessage({ type: M.Type.GUARD_CLAIM, nonce: hello.nonce });
  if (!claim?.ok) return;
  window.removeEventListener('message', onInit);
  port.onmessage = (message) => {
    const request = M.parseAnalyzeRequest(message.data);
    if (!request) return;
    port.onmessage = null;
    serve(port, request.files, request.folder).catch((error) => {
      console.error('Sentinelle guard failed', error);
      port.postMessage({ type: M.Type.FAILURE, code: M.FailureCode.ENGINE });
    });
  };
}

window.addEventListener('message', onInit);
