// The guard frame: an extension page inside the page's tab, out of the page's reach. It proves
// to itself that its parent is our content script (a nonce the background vouches for), checks the
// files with the wasm engine, and either answers "pass" at once or shows the warning and answers
// with the person's choice. Clicks are only taken from the person (isTrusted).
import '../shared/messages.js';
import init, {
  analyze, analyzeWithPixels, detectFacesRgba, detectNudityRgba, jpegQuickLook, prepareVision, strip,
} from '../pkg/sentinelle.js';
import { describe, needsWarning } from './describe.js';
import { drawPicture } from '../shared/pixels.js';
import { runFixes } from './fix-thread.js';
import { STRICT, decide, hostIn } from '../shared/settings.js';

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);

/**
 * The engine compiles as soon as this frame loads. The content script makes the frame when an
 * upload begins (a file picker opens, files are dragged over the page), so the compile is mostly
 * done while the person is still choosing. Compiled once: the nudity thread gets the same module.
 */
const engineModule = compileEngine();
const engineReady = engineModule.then((module) => init({ module_or_path: module }));
// Awaited by serve(), which reports a failure; this only keeps an unused failure from being logged twice.
engineReady.catch(() => {});

/** @returns {Promise<WebAssembly.Module>} */
async function compileEngine() {
  const url = new URL('../pkg/sentinelle_bg.wasm', import.meta.url);
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // A browser that serves the file with another type cannot compile while downloading.
    return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  }
}

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
 * What to look for in the pictures themselves: only what the settings would act on. (A fresh
 * install, the adult profile, warns about neither faces nor nudity, so it does not look.)
 * @typedef {{faces: boolean, nudity: boolean}} Look
 */

/**
 * @param {File} file
 * @param {Look} look
 * @returns {Promise<import('./describe.js').FileReport & {bytes: Uint8Array | null}>}
 */
async function check(file, look) {
  if (file.size > MAX_FILE_BYTES) return { name: file.name, analysis: null, errorCode: 'too-large', bytes: null };
  const bytes = new Uint8Array(await file.arrayBuffer());
  // The copy to look at comes first: a format the engine does not decode is then decoded by the
  // browser, on its own threads, while the engine reads the metadata.
  const picture = look.faces || look.nudity ? pictureOf(file, bytes) : null;
  picture?.catch(() => {}); // a picture nothing can decode: visionOf reports no vision
  try {
    const analysis = analyze(bytes);
    // visionOf may return the analysis again, with the hidden-preview check done.
    return { name: file.name, analysis, errorCode: null, bytes, ...(await visionOf(file, analysis, bytes, look, picture)) };
  } catch (error) {
    picture?.then((unused) => unused.close(), () => {});
    return { name: file.name, analysis: null, errorCode: errorCode(error), bytes };
  }
}

/**
 * An upright copy of the photo, at most FACE_SIDE on its long side, to look at.
 * @typedef {{width: number, height: number, photoWidth: number, photoHeight: number,
 *   source: ImageBitmapSource, rgba: () => Uint8Array, close: () => void}} Picture
 *   `photoWidth`×`photoHeight`: the photo's upright size; `source`: the copy, to scale a preview from
 */

/**
 * The copy to look at. A JPEG is decoded by the engine at reduced size (a 12 MP photo straight
 * to 1000×750, never its 12 million pixels: measured in Chromium, 32–35 ms against 52 ms for the
 * browser's full decode and scale). Other formats, and the JPEGs that decoder refuses (CMYK,
 * 12-bit, lossless, arithmetic coding, progressive over about 21 MP, damage the browser
 * tolerates), are decoded by the browser.
 * @param {File} file
 * @param {Uint8Array} bytes
 * @returns {Promise<Picture>}
 */
async function pictureOf(file, bytes) {
  try {
    /** @type {{width: number, height: number, rgba: Uint8ClampedArray<ArrayBuffer>, photoWidth: number, photoHeight: number}} */
    const look = jpegQuickLook(bytes);
    const { width, height, rgba } = look;
    return {
      width, height, photoWidth: look.photoWidth, photoHeight: look.photoHeight,
      source: new ImageData(rgba, width, height),
      rgba: () => new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength),
      close: () => {},
    };
  } catch {
    // Not a JPEG, or one the engine refuses (its error says which): the browser decodes it.
  }
  const { bitmap, canvas, width, height, rgba } = await drawPicture(file, FACE_SIDE);
  return { width, height, photoWidth: bitmap.width, photoHeight: bitmap.height, source: canvas, rgba, close: () => bitmap.close() };
}

/** Long side of the copy the face detector looks at: the engine's quick look (`Detail::Quick`)
 * works from a 640 px copy, so a larger one would only cost time. */
const FACE_SIDE = 640;
/** Long side of the preview shown in the warning. */
const PREVIEW_SIDE = 320;

/**
 * Small previews of the photos with something to show, by file name: the picture, and the
 * reusable faces' boxes in its pixels. Kept in this frame only.
 * @type {Map<string, {bitmap: ImageBitmap, boxes: {x: number, y: number, width: number, height: number}[], crop: {x: number, y: number, width: number, height: number} | null, nude: boolean}>}
 */
const previews = new Map();

/**
 * What the photo shows: faces, and whether it may show nudity, looked at in an upright copy at
 * reduced size ([`pictureOf`]); nothing leaves the frame.
 * The same pixels also tell whether a hidden preview shows another picture than the photo:
 * the analysis is then returned again, with that check done by the engine.
 * Faces and nudity are only looked for when the settings act on them (`look`); the picture is
 * not even decoded when neither is wanted and there is no hidden preview to compare.
 * @param {File} file
 * @param {import('./describe.js').Analysis} analysis
 * @param {Uint8Array} bytes
 * @param {Look} look
 * @param {Promise<Picture> | null} started the copy, if check() started it
 * @returns {Promise<{faces: import('./describe.js').FaceSummary | null, nudity: {score: number, flagged: boolean} | null, analysis?: import('./describe.js').Analysis}>}
 */
async function visionOf(file, analysis, bytes, look, started) {
  const format = analysis.format;
  const hiddenPreview = analysis.findings.some((f) => f.category === 'hidden-image');
  if (!look.faces && !look.nudity && !hiddenPreview) return { faces: null, nudity: null };
  /** @type {Picture | null} */
  let picture = null;
  /** @type {Promise<ImageBitmap> | null} */
  let smallPreview = null;
  let previewKept = false;
  try {
    picture = await (started ?? pictureOf(file, bytes));
    const { width: w, height: h, photoWidth, photoHeight } = picture;
    const rgba = picture.rgba();
    // Nudity on the second thread while faces are looked for here.
    const nudityElsewhere = look.nudity ? nudityInWorker(rgba, w, h) : null;
    // The warning's preview, made from the 640 px copy (not from the full-size picture: 12 MP
    // took about 10 ms more to scale down), is started now: the browser scales it while the
    // engine looks at the faces, and it is dropped if nothing is shown.
    const k = Math.min(1, PREVIEW_SIDE / Math.max(photoWidth, photoHeight));
    smallPreview = look.faces || look.nudity ? createImageBitmap(picture.source, {
      resizeWidth: Math.max(1, Math.round(photoWidth * k)), resizeHeight: Math.max(1, Math.round(photoHeight * k)), resizeQuality: 'high',
    }) : null;
    smallPreview?.catch(() => {});
    /** @type {{faces: {reusable: boolean, x: number, y: number, width: number, height: number}[], crop: {x: number, y: number, width: number, height: number} | null}} */
    const report = look.faces ? detectFacesRgba(rgba, w, h, photoWidth, photoHeight) : { faces: [], crop: null };
    /** @type {{score: number, flagged: boolean}} */
    const nudity = look.nudity ? ((await nudityElsewhere) ?? detectNudityRgba(rgba, w, h)) : { score: 0, flagged: false };
    let checked = analysis;
    if (hiddenPreview) {
      try {
        checked = analyzeWithPixels(bytes, w, h, rgba);
      } catch {
        // A preview that cannot be compared is still reported (and removed) as a preview.
      }
    }
    const reusable = report.faces.filter((f) => f.reusable);
    if (smallPreview && (reusable.length > 0 || nudity.flagged)) {
      const small = await smallPreview;
      const scaled = (/** @type {{x: number, y: number, width: number, height: number}} */ r) => ({ x: r.x * k, y: r.y * k, width: r.width * k, height: r.height * k });
      previews.set(file.name, {
        bitmap: small,
        boxes: reusable.map(scaled),
        crop: report.crop ? scaled(report.crop) : null,
        nude: nudity.flagged,
      });
      previewKept = true;
    }
    return {
      faces: look.faces ? {
        count: report.faces.length,
        reusable: report.faces.filter((f) => f.reusable).length,
        blurrable: format === 'jpeg' || format === 'png',
        croppable: (format === 'jpeg' || format === 'png') && report.crop !== null,
      } : null,
      nudity: look.nudity ? { score: nudity.score, flagged: nudity.flagged } : null,
      analysis: checked,
    };
  } catch {
    return { faces: null, nudity: null };
  } finally {
    // Whatever happened, nothing decoded is kept but the preview shown.
    picture?.close();
    if (!previewKept) smallPreview?.then((unused) => unused.close(), () => {});
  }
}

/** How long the worker may take before this frame does the work itself (well within the content
 * script's wait for the guard's answer, even for several photos). */
const WORKER_WAIT_MS = 5_000;

/**
 * The second thread for the nudity check, started as soon as the settings say it will be needed
 * (it instantiates this frame's compiled engine while the person is still choosing). Answers carry the request's id, as
 * several photos may be looked at together.
 * @type {{worker: Worker, waiting: Map<number, (answer: {score: number, flagged: boolean} | null) => void>, next: number} | null}
 */
let nudityThread = null;

function startNudityThread() {
  if (nudityThread) return;
  try {
    const worker = new Worker(new URL('./nudity-worker.js', import.meta.url), { type: 'module' });
    // The worker instantiates the module this frame compiled (no second compile); if the
    // compile failed, the worker fails and this frame's own failure is what gets reported.
    engineModule.then((module) => worker.postMessage({ module }), () => worker.terminate());
    /** @type {Map<number, (answer: {score: number, flagged: boolean} | null) => void>} */
    const waiting = new Map();
    const failAll = () => {
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
      nudityThread = null;
    };
    worker.onmessage = (event) => {
      const resolve = waiting.get(event.data?.id);
      waiting.delete(event.data?.id);
      resolve?.(event.data?.ok ? event.data.nudity : null);
    };
    worker.onerror = failAll;
    worker.onmessageerror = failAll;
    nudityThread = { worker, waiting, next: 0 };
  } catch {
    nudityThread = null;
  }
}

/**
 * The nudity score computed on the second thread (a copy of the pixels is handed over), or null
 * if it cannot be used — the caller then computes it here.
 * @param {Uint8Array} rgba
 * @param {number} width
 * @param {number} height
 * @returns {Promise<{score: number, flagged: boolean} | null>}
 */
function nudityInWorker(rgba, width, height) {
  const thread = nudityThread;
  if (!thread) return Promise.resolve(null);
  return new Promise((resolve) => {
    const id = thread.next;
    thread.next += 1;
    const timer = setTimeout(() => {
      thread.waiting.delete(id);
      resolve(null);
    }, WORKER_WAIT_MS);
    thread.waiting.set(id, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    const copy = rgba.slice();
    thread.worker.postMessage({ id, rgba: copy, width, height }, [copy.buffer]);
  });
}

/**
 * New contents under the original's name, type and date, so the site treats it like the original.
 * @param {File} file
 * @param {Uint8Array} contents what the engine returned
 */
function sameFileWith(file, contents) {
  // wasm-bindgen copies the Vec<u8> out of wasm memory into a fresh (non-shared) ArrayBuffer.
  return new File([/** @type {Uint8Array<ArrayBuffer>} */ (contents)], file.name, { type: file.type, lastModified: file.lastModified });
}

/**
 * The settings in force and the nudify list, from the background, and where the managed policy
 * came from (see shared/managed-policy.js). If it cannot answer, the strictest settings apply.
 * @returns {Promise<{settings: import('../shared/settings.js').Settings, nudifySites: string[], from: string}>}
 */
async function loadPolicy() {
  try {
    const answer = await chrome.runtime.sendMessage({ type: M.Type.SETTINGS_GET });
    if (answer?.ok) return { settings: answer.settings, nudifySites: answer.nudifySites ?? [], from: String(answer.policyFrom) };
  } catch { /* below */ }
  return { settings: STRICT, nudifySites: [], from: 'none' };
}

/**
 * Which rules the files trigger. Any private metadata other than location and hidden images
 * counts as "device" (serials, owner, camera, dates, software, text).
 * @param {import('./describe.js').FileReport[]} reports
 * @returns {import('../shared/settings.js').Rule[]}
 */
function risksOf(reports) {
  /** @type {Set<import('../shared/settings.js').Rule>} */
  const risks = new Set();
  if (reports.some((r) => (r.faces?.reusable ?? 0) > 0)) risks.add('face');
  if (reports.some((r) => r.nudity?.flagged)) risks.add('nudity');
  for (const report of reports) {
    for (const finding of report.analysis?.findings ?? []) {
      if (finding.category === 'location') risks.add('location');
      else if (finding.category === 'hidden-image') risks.add('hiddenImage');
      else risks.add('device');
    }
  }
  return [...risks];
}

/**
 * The deterrence notice in the UI language, naming the countries where a verified law makes such
 * images an offence (from data/deterrence.json).
 */
async function deterrenceTexts() {
  let places = '';
  try {
    const data = await (await fetch(chrome.runtime.getURL('data/deterrence.json'))).json();
    const lang = locale.split(/[-_]/)[0] ?? 'en';
    const codes = (data.laws ?? []).filter((/** @type {any} */ l) => l.verified && l.what?.length && /^[A-Z]{2}$/.test(l.jurisdiction))
      .map((/** @type {any} */ l) => String(l.jurisdiction));
    const names = new Intl.DisplayNames([lang], { type: 'region' });
    places = new Intl.ListFormat([lang], { type: 'conjunction' }).format([...new Set(codes)].map((code) => names.of(code) ?? code));
  } catch { /* the notice still reads without the list */ }
  return {
    title: t('deterrenceTitle'), body: t('deterrenceBody', [places]), help: t('deterrenceHelp'),
    back: t('deterrenceBack'), continue: t('deterrenceContinue'), blocked: t('deterrenceBlocked'),
  };
}

/**
 * What the settings will have the photos looked for on `host` ('' while the files have not come:
 * the host comes with them).
 * @param {Awaited<ReturnType<typeof loadPolicy>>} policy
 * @param {string} host
 * @returns {Look}
 */
function lookOf(policy, host) {
  return {
    // On a "nudify" or face-swap site a face is the very risk, whatever the settings say of faces.
    faces: policy.settings.rules.face !== 'off' || hostIn(host, policy.nudifySites),
    nudity: policy.settings.rules.nudity !== 'off',
  };
}

/**
 * @param {Answer} port where the answers go
 * @param {File[]} files
 * @param {boolean} folder
 * @param {string} host
 * @param {boolean} clipboard a cleaned copy goes to the clipboard (see parseAnalyzeRequest)
 * @param {number | null} chosenAt when the browser delivered the files (see parseAnalyzeRequest)
 */
async function serve(port, files, folder, host, clipboard, chosenAt) {
  let [, policy] = await Promise.all([engineReady, policyReady ?? loadPolicy()]);
  // Settings asked for while the browser was still loading its policies (the file chooser opened
  // in the first seconds after a start), a while ago, are asked for again: it may have answered.
  if (policyReady && policy.from !== 'browser' && performance.now() - policyAskedAt > POLICY_RECHECK_MS) policy = await loadPolicy();
  // For tests, in this frame's own document only: whose policy decided.
  document.body.dataset.policyFrom = policy.from;
  const look = lookOf(policy, host);
  if (look.nudity) startNudityThread();
  const reports = await Promise.all(files.map((file) => check(file, look)));
  const verdict = decide(policy.settings, { risks: risksOf(reports), host, nudifySites: policy.nudifySites });
  const unreadable = reports.some((r) => r.errorCode && r.errorCode !== 'unsupported-format');
  if ((verdict.action === 'pass' || verdict.action === 'off') && !unreadable && !verdict.nudifySite) {
    port.postMessage({ type: M.Type.DECISION, decision: M.Decision.PASS, files: [] });
    return;
  }
  if (!reports.some(needsWarning) && !verdict.nudifySite && !verdict.siteBlocked) {
    port.postMessage({ type: M.Type.DECISION, decision: M.Decision.PASS, files: [] });
    return;
  }
  const warning = describe(reports, locale, t, { folder });
  render(warning);
  showPreview(reports, warning.canCrop && !verdict.siteBlocked);
  const mode = verdict.siteBlocked ? 'site-blocked' : (verdict.action === 'pass' ? 'confirm' : verdict.action);
  if (verdict.nudifySite || verdict.siteBlocked) {
    const deterrence = verdict.nudifySite ? await deterrenceTexts() : null;
    el('title').textContent = verdict.siteBlocked && !deterrence ? t('siteBlockedTitle') : (deterrence?.title ?? t('siteBlockedTitle'));
    el('summary').textContent = verdict.siteBlocked ? (deterrence?.blocked ?? t('siteBlocked')) : (deterrence?.body ?? '');
    if (verdict.siteBlocked && deterrence) el('summary').textContent = `${deterrence.body} ${deterrence.blocked}`;
    el('reassure').textContent = deterrence?.help ?? t('reassure');
    if (deterrence && !verdict.siteBlocked) {
      el('original').textContent = deterrence.continue;
      el('cancel').textContent = deterrence.back;
    }
  }
  applyMode(mode, warning.canClean && !verdict.siteBlocked);
  document.body.dataset.mode = mode;
  // Time from the files' arrival to this warning, checks done: for benchmarks, in this frame's
  // own document only (the page cannot read it).
  if (chosenAt !== null) document.body.dataset.warningMs = String(Math.round(performance.timeOrigin + performance.now() - chosenAt));
  port.postMessage({ type: M.Type.SHOW });
  chrome.runtime.sendMessage({ type: M.Type.WARNING_SHOWN }).catch(() => {});

  const decision = await choice(warning.canClean && !verdict.siteBlocked, mode, warning.nudity);
  if (decision !== M.Decision.CLEAN) {
    port.postMessage({ type: M.Type.DECISION, decision, files: [] });
    return;
  }
  // A paste the page cannot be given again (Firefox): the cleaned copy goes to the clipboard, and
  // the person pastes it. One picture fits on a clipboard. The write starts now, while the
  // person's press still counts as their permission, and waits for the cleaned picture.
  /** @type {(file: File | null) => void} */
  let giveCleaned = () => {};
  /** @type {Promise<File | null>} */
  const cleanedForClipboard = new Promise((resolve) => { giveCleaned = resolve; });
  const copying = clipboard && files.length === 1 ? copyPicture(cleanedForClipboard) : Promise.resolve(false);
  const crop = chosenFix === 'crop';
  el('busy').textContent = t(crop ? 'busyCropping' : (warning.blurFaces ? 'busyBlurring' : 'busyCleaning'));
  el('busy').hidden = false;
  // Blurring re-encodes the photo, which drops its metadata too (colour profile and orientation
  // kept); otherwise the lossless strip. A photo with nothing to remove is given as it is.
  /** @type {(import('./fix-worker.js').Job | null)[]} */
  const jobs = files.map((file, i) => {
    const report = reports[i];
    if (!report?.bytes || !report.analysis) return null;
    if ((report.faces?.reusable ?? 0) > 0 && report.faces?.blurrable) return { fix: crop ? 'crop' : 'blur', bytes: report.bytes };
    return report.analysis.findings.length > 0 ? { fix: 'strip', bytes: report.bytes } : null;
  });
  /** @type {File[]} */
  let cleaned;
  try {
    if (jobs.some((job) => job && job.fix !== 'strip')) {
      // Seconds of work for a large photo: on a thread of its own, with progress and a Cancel.
      const results = await fixElsewhere(jobs.filter((job) => job !== null));
      if (!results) {
        giveCleaned(null);
        port.postMessage({ type: M.Type.DECISION, decision: M.Decision.CANCEL, files: [] });
        return;
      }
      cleaned = files.map((file, i) => (jobs[i] ? sameFileWith(file, /** @type {Uint8Array} */ (results.shift())) : file));
    } else {
      // The lossless strip takes milliseconds: here. Let the status paint first.
      await new Promise((resolve) => { setTimeout(resolve, 0); });
      cleaned = files.map((file, i) => {
        const job = jobs[i];
        return job ? sameFileWith(file, strip(job.bytes)) : file;
      });
    }
  } catch (error) {
    // The person asked for a cleaned copy: the original is not sent instead.
    console.error('Sentinelle fix failed', errorCode(error));
    giveCleaned(null);
    port.postMessage({ type: M.Type.FAILURE, code: M.FailureCode.FIX });
    return;
  }
  giveCleaned(cleaned[0] ?? null);
  const copied = await copying;
  port.postMessage({ type: M.Type.DECISION, decision, files: cleaned, copied });
}

/**
 * Runs the fixes on their own thread while the warning shows their progress and a Cancel (a
 * trusted press, or Escape). A fix that fails throws, with the engine's code.
 * @param {import('./fix-worker.js').Job[]} jobs
 * @returns {Promise<Uint8Array[] | null>} the fixed bytes in order, or null when cancelled
 */
async function fixElsewhere(jobs) {
  const bar = /** @type {HTMLProgressElement} */ (el('progress'));
  const stop = /** @type {HTMLButtonElement} */ (el('stop'));
  // The choices are made: their place goes to the progress and the Cancel, so those are in view
  // whatever the warning's height.
  const actions = /** @type {HTMLElement} */ (document.querySelector('.actions'));
  actions.hidden = true;
  el('pin-area').hidden = true;
  // A crop says nothing until it is done: the bar then shows work under way, not a share.
  if (jobs.some((job) => job.fix === 'crop')) bar.removeAttribute('value');
  else bar.value = 0;
  bar.hidden = false;
  stop.textContent = t('actionCancel');
  stop.hidden = false;
  stop.disabled = false;
  const run = runFixes(engineModule, jobs, (done) => {
    bar.value = done;
    // Tests and the benchmark read how far it got; the page cannot (this frame's own document).
    document.documentElement.dataset.fixProgress = String(done);
  });
  document.documentElement.dataset.fixing = 'true';
  stop.focus();
  /** @param {Event} event */
  const onStop = (event) => {
    if (event.isTrusted) run.cancel();
  };
  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    if (!event.isTrusted) return;
    if (event.key === 'Escape') run.cancel();
    // Cancel is all there is to reach now: the focus stays on it.
    if (event.key === 'Tab') {
      event.preventDefault();
      stop.focus();
    }
  };
  stop.addEventListener('click', onStop);
  document.addEventListener('keydown', onKey);
  try {
    return await run.result;
  } catch (error) {
    if (errorCode(error) === 'cancelled') return null;
    throw error;
  } finally {
    stop.removeEventListener('click', onStop);
    document.removeEventListener('keydown', onKey);
    stop.disabled = true;
    delete document.documentElement.dataset.fixing;
  }
}

/**
 * Puts a picture on the clipboard as PNG (what browsers accept there; the pixels only, upright,
 * nothing else). The person's press on the fix is what allows the write, so it is called right
 * after the press, with the picture still to come; where a browser wants the picture itself
 * in hand, it is tried again once the picture is there (still within the press's few seconds).
 * @param {Promise<File | null>} cleaned
 * @returns {Promise<boolean>} whether it is there
 */
async function copyPicture(cleaned) {
  const png = cleaned.then(async (file) => {
    if (!file) throw new Error('nothing to copy');
    const { bitmap, canvas } = await drawPicture(file);
    bitmap.close();
    return canvas.convertToBlob({ type: 'image/png' });
  });
  png.catch(() => {}); // its failure is the write's failure, reported below
  try {
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
    return true;
  } catch {
    try {
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': await png })]);
      return true;
    } catch {
      return false;
    }
  }
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
  el('crop').textContent = t('actionCropFaces');
  el('crop').hidden = !warning.canCrop;
  el('original').textContent = t('actionOriginal');
  el('cancel').textContent = t('actionCancel');
  /** @type {HTMLElement} */ (document.querySelector('.backdrop')).hidden = false;
}

/**
 * Shows the first photo that has a face or may show nudity: faces outlined, and the whole picture
 * blurred when it may show nudity (the person knows their photo; no one needs it sharp here).
 * @param {import('./describe.js').FileReport[]} reports
 * @param {boolean} canCrop whether "crop the faces out" is offered (its part is then shown dashed)
 */
function showPreview(reports, canCrop) {
  const canvas = /** @type {HTMLCanvasElement} */ (el('preview'));
  const first = reports.map((r) => previews.get(r.name)).find(Boolean);
  if (!first) return;
  canvas.width = first.bitmap.width;
  canvas.height = first.bitmap.height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  if (first.nude) ctx.filter = 'blur(14px)';
  ctx.drawImage(first.bitmap, 0, 0);
  ctx.filter = 'none';
  ctx.strokeStyle = '#f59e0b';
  ctx.lineWidth = 3;
  for (const b of first.boxes) ctx.strokeRect(b.x, b.y, b.width, b.height);
  // What "crop the faces out" would keep, dashed.
  if (first.crop && !first.nude && canCrop) {
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#0ea5e9';
    ctx.strokeRect(first.crop.x + 1.5, first.crop.y + 1.5, first.crop.width - 3, first.crop.height - 3);
    ctx.setLineDash([]);
  }
  canvas.setAttribute('aria-label', first.nude ? t('previewBlurred') : t('previewFaces', [String(first.boxes.length)]));
  canvas.hidden = false;
}

/**
 * Shapes the buttons for what the settings allow: `block` takes "upload as is" away, `pin` asks
 * for the parent's PIN before it, a blocked site leaves only "cancel".
 * @param {string} mode
 * @param {boolean} canClean
 */
function applyMode(mode, canClean) {
  el('clean').hidden = !canClean;
  if (!canClean) el('crop').hidden = true;
  if (mode === 'block' || mode === 'site-blocked') el('original').hidden = true;
  if (mode === 'pin') el('original').textContent = t('actionOriginalPin');
  el('pin-label').textContent = t('pinPrompt');
  el('pin-ok').textContent = t('pinUnlock');
}

/**
 * Asks the background whether this is the parent's PIN (it rate-limits); says why not.
 * @returns {Promise<boolean>}
 */
async function pinAccepted() {
  const input = /** @type {HTMLInputElement} */ (el('pin-input'));
  const answer = await chrome.runtime.sendMessage({ type: M.Type.PIN_CHECK, pin: input.value.replace(/\D/g, '').slice(0, 12) });
  input.value = '';
  if (answer?.ok) return true;
  const status = el('pin-status');
  if (answer?.noPin) status.textContent = t('pinNotSet');
  else if (answer?.waitMs > 0) status.textContent = t('pinWait', [String(Math.ceil(answer.waitMs / 1000))]);
  else status.textContent = t('pinWrong');
  input.focus();
  return false;
}

/** Which fix the pressed button asked for ('' for the default one: strip, or blur faces). */
let chosenFix = '';

/**
 * Waits for the person's choice: a trusted click on a button, or Escape (cancel). Tab stays
 * inside the dialog.
 * @param {boolean} canClean
 * @param {string} [mode] `pin`: "upload as is" opens the PIN field first; `inform`: it gets the focus
 * @param {boolean} [preferCancel] the focus goes to "cancel" (a photo that may show nudity)
 * @returns {Promise<string>}
 */
function choice(canClean, mode = 'confirm', preferCancel = false) {
  const buttons = /** @type {HTMLButtonElement[]} */ (Array.from(document.querySelectorAll('.actions button')))
    .filter((b) => !b.hidden);
  const first = buttons[0];
  const last = buttons[buttons.length - 1];
  // The safe choice gets the focus. Firefox refuses focus while the frame is still hidden, so
  // try again when the content script focuses the frame after making it visible.
  // For nudity the safe choice is not to send; for the rest, the fix.
  const safe = preferCancel ? el('cancel') : (mode === 'inform' ? el('original') : (canClean ? el('clean') : el('cancel')));
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
  // Without IntersectionObserver v2 nothing can say the warning is covered: presses count.
  if (!('IntersectionObserver' in window) || !('isVisible' in IntersectionObserverEntry.prototype)) {
    document.body.dataset.accepting = 'true';
  }
  const track = () => {
    if (!('IntersectionObserver' in window)) return;
    observer?.disconnect();
    observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const visible = /** @type {{isVisible?: boolean}} */ (entry).isVisible;
        if (visible !== undefined) {
          obscured = !visible;
          // Whether presses count right now (tests wait for it instead of guessing a delay).
          document.body.dataset.accepting = String(visible);
        }
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
        if (obscured || performance.now() - coveredAt < COVERED_MS) {
          el('busy').textContent = t('obscured');
          el('busy').hidden = false;
          return;
        }
        if (mode === 'pin' && button.dataset.decision === M.Decision.ORIGINAL) {
          el('pin-area').hidden = false;
          el('pin-input').focus();
          return;
        }
        chosenFix = button.dataset.fix ?? '';
        finish(button.dataset.decision);
      });
    }
    el('pin-ok').addEventListener('click', (event) => {
      if (!event.isTrusted || obscured || performance.now() - coveredAt < COVERED_MS) return;
      pinAccepted().then((ok) => { if (ok) finish(M.Decision.ORIGINAL); }, () => {});
    });
    el('pin-input').addEventListener('keydown', (event) => {
      if (!event.isTrusted || event.key !== 'Enter') return;
      event.preventDefault();
      pinAccepted().then((ok) => { if (ok) finish(M.Decision.ORIGINAL); }, () => {});
    });
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
 * When the content script last said the page put something in the top layer over the warning
 * (it raises the warning again at once; presses wait a moment, in case a frame showed the decoy).
 */
let coveredAt = -Infinity;
const COVERED_MS = 1_000;

/**
 * The settings, asked for when this frame is claimed.
 * @type {ReturnType<typeof loadPolicy> | null}
 */
let policyReady = null;
/** When they were asked for (this frame's clock). */
let policyAskedAt = 0;
/** Settings that came from the copy of the last start's policy (see shared/managed-policy.js)
 * are asked for again when a file comes this long after: the browser may have answered since. */
const POLICY_RECHECK_MS = 500;

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
  // The files may come much later (the person is still choosing): the settings are read now, as
  // the upload begins, and the nudity thread starts if they will want it.
  const policy = loadPolicy();
  policyReady = policy;
  policyAskedAt = performance.now();
  policy.then((p) => { if (lookOf(p, '').nudity) startNudityThread(); });
  let requested = false;
  // While the person chooses, the face network is made ready here (as the nudity one is in its
  // thread): parsed and run once on a grey 640 px picture (about 110 ms of this frame's time, in
  // the file dialog), so the photo's look finds the engine optimised and its memory grown (the
  // first look at a 12 MP portrait: 85–92 ms without this, 70–82 ms with it). Not when the files
  // are already here: there is nothing to hide the work behind.
  Promise.all([policy, engineReady]).then(([p]) => {
    setTimeout(() => {
      if (requested || !lookOf(p, '').faces) return;
      // A failed warm-up changes nothing: the look itself then fails the same way (the photo is
      // then checked without faces, as when the browser cannot decode it).
      try {
        prepareVision(true, false);
        // Only this frame's own document says so (the page cannot read it); tests wait for it.
        document.documentElement.dataset.facesReady = 'true';
      } catch { /* see above */ }
    }, 0);
  }, () => {});
  /** @param {NonNullable<ReturnType<typeof M.parseAnalyzeRequest>>} request @param {Answer} answer */
  const start = (request, answer) => {
    requested = true;
    serve(answer, request.files, request.folder, request.host, request.clipboard, request.chosenAt).catch((error) => {
      console.error('Sentinelle guard failed', error);
      answer.postMessage({ type: M.Type.FAILURE, code: M.FailureCode.ENGINE });
    });
  };
  if (hello.relay) {
    // In the top-level page for a frame's upload: the files come on the relay channel, and the
    // answers go back on it; the port to this page's content script carries only what it needs
    // (show the frame, the session is over) and word that the page covered the warning.
    port.onmessage = (notice) => { if (M.isCoveredNotice(notice.data)) coveredAt = performance.now(); };
    hostRelay(hello.relay, port, start);
    return;
  }
  port.onmessage = (message) => {
    const request = M.parseAnalyzeRequest(message.data);
    if (!request) return;
    port.postMessage({ type: M.Type.WORKING });
    // From now on the port only carries word that the page covered the warning.
    port.onmessage = (notice) => { if (M.isCoveredNotice(notice.data)) coveredAt = performance.now(); };
    if (request.relay) relayAway(request, port, (answer) => start(request, answer));
    else start(request, port);
  };
}

/**
 * Where a guard's answers go: the content script's port, or the relay to a frame's guard.
 * @typedef {{postMessage: (message: any) => void}} Answer
 */

/** How often the top guard says it is there until the files come, and how long a frame's guard
 * waits for that word (then shows the warning itself). */
const ALIVE_EVERY_MS = 500;
const ALIVE_FIRST_MS = 5_000;
/** How long a top guard waits for the files before it leaves the page. */
const RELAY_WAIT_MS = 30_000;

/**
 * Each end of a relay holds a Web Lock named for it for as long as it lives; the other end asks
 * for that lock, and is granted it when the first end's frame is gone (the browser releases a
 * document's locks when it goes, whatever its timers were doing: a busy or throttled guard is not
 * taken for a gone one).
 * @param {string} name the lock
 * @returns {() => void} lets the lock go
 */
function holdLock(name) {
  /** @type {() => void} */
  let release = () => {};
  const held = new Promise((resolve) => { release = () => resolve(undefined); });
  navigator.locks?.request(name, () => held).catch(() => {});
  return release;
}

/**
 * Runs `gone` once the other end's lock is granted here (its frame is gone, or it let go).
 * @param {string} name the lock
 * @param {() => void} gone
 * @returns {() => void} stops waiting
 */
function whenGone(name, gone) {
  const abort = new AbortController();
  navigator.locks?.request(name, { signal: abort.signal }, () => { gone(); })
    .catch(() => {});
  return () => abort.abort();
}

/**
 * The top guard's side of a relay: says it is there until the files come, serves the first
 * request that comes on the channel, sends its answers back on it, and tells this page's content
 * script to show the frame (a warning) and to take it away (done, the frame's guard gone, or no
 * files came).
 * @param {string} name the relay channel
 * @param {MessagePort} port to this page's content script
 * @param {(request: NonNullable<ReturnType<typeof M.parseAnalyzeRequest>>, answer: Answer) => void} start
 */
function hostRelay(name, port, start) {
  /** @type {BroadcastChannel} */
  let channel;
  try {
    channel = new BroadcastChannel(`sentinelle-relay-${name}`);
  } catch {
    port.postMessage({ type: M.Type.FAILURE, code: M.FailureCode.ENGINE });
    return;
  }
  // Held until this frame is taken out of the page (after its last answer has gone out): let go
  // sooner, the frame's guard could hear of it before it hears the answer.
  holdLock(`sentinelle-relay-${name}-top`);
  let stopWaiting = () => {};
  let over = false;
  const alive = setInterval(() => channel.postMessage({ type: M.Type.ALIVE }), ALIVE_EVERY_MS);
  channel.postMessage({ type: M.Type.ALIVE });
  /** @param {any} [last] what this page's content script is told (the session is over) */
  const end = (last) => {
    if (over) return;
    over = true;
    clearInterval(alive);
    clearTimeout(unused);
    stopWaiting();
    channel.close();
    if (last) port.postMessage(last);
  };
  const unused = setTimeout(() => end({ type: M.Type.FAILURE, code: M.FailureCode.TIMEOUT }), RELAY_WAIT_MS);
  channel.onmessage = (event) => {
    const request = M.parseAnalyzeRequest(event.data);
    if (!request) return;
    clearTimeout(unused);
    clearInterval(alive);
    channel.onmessage = null;
    // The frame's guard gone (its page removed it, went elsewhere, or gave up): nobody is left to
    // hand the person's choice to, so the warning goes too.
    stopWaiting = whenGone(`sentinelle-relay-${name}-frame`, () => end({ type: M.Type.FAILURE, code: M.FailureCode.GUARD_GONE }));
    start(request, {
      postMessage: (message) => {
        if (over) return;
        channel.postMessage(message);
        // This page's content script shows the frame, and takes it away at the end; it never
        // gets the files (they are the frame's page's to have).
        const reply = M.parseGuardReply(message);
        if (reply?.type === 'show') port.postMessage({ type: M.Type.SHOW });
        else if (reply) end(reply.type === 'decision' ? { ...message, files: [] } : message);
      },
    });
  };
}

/**
 * A frame's guard with a top guard to show its warning: the request goes to it on the relay
 * channel once it says it is there, and its answers come back to this frame's content script.
 * If it never says so (the top page would not have it), this guard serves the request itself
 * (`here`, whose "show" says so, so the content script shows this frame); if the top guard goes
 * away after (its page removed it), the session fails as when a guard is removed.
 * @param {NonNullable<ReturnType<typeof M.parseAnalyzeRequest>>} request
 * @param {MessagePort} port to this frame's content script
 * @param {(answer: Answer) => void} here
 */
function relayAway(request, port, here) {
  const showHere = () => {
    // A fresh start for the content script's wait, which began before the relay was tried.
    port.postMessage({ type: M.Type.WORKING });
    here({ postMessage: (message) => port.postMessage(M.parseGuardReply(message)?.type === 'show' ? { ...message, here: true } : message) });
  };
  /** @type {BroadcastChannel} */
  let channel;
  try {
    channel = new BroadcastChannel(`sentinelle-relay-${request.relay}`);
  } catch {
    showHere();
    return;
  }
  let sent = false;
  let closed = false;
  let stopWaiting = () => {};
  /** @type {() => void} */
  let releaseFrame = () => {};
  const close = () => {
    closed = true;
    clearTimeout(first);
    stopWaiting();
    channel.close();
    // Tells the top guard this end is gone (if it is not done already): its warning goes too.
    releaseFrame();
  };
  const first = setTimeout(() => {
    if (sent) return;
    close();
    showHere();
  }, ALIVE_FIRST_MS);
  channel.onmessage = (event) => {
    if (closed) return;
    if (M.isAlive(event.data)) {
      if (sent) return;
      sent = true;
      clearTimeout(first);
      // Held before the request goes, so the top guard's wait for it starts after.
      releaseFrame = holdLock(`sentinelle-relay-${request.relay}-frame`);
      stopWaiting = whenGone(`sentinelle-relay-${request.relay}-top`, () => {
        if (closed) return;
        close();
        port.postMessage({ type: M.Type.FAILURE, code: M.FailureCode.GUARD_GONE });
      });
      const { files, folder, host, clipboard, chosenAt } = request;
      channel.postMessage({ type: M.Type.ANALYZE, files, folder, host, clipboard, chosenAt });
      return;
    }
    const reply = M.parseGuardReply(event.data);
    if (!reply) return;
    port.postMessage(event.data);
    if (reply.type !== 'show') close();
  };
}

window.addEventListener('message', onInit);
