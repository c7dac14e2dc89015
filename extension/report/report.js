// The report page: the person says what happened, sees who can help and why, chooses what to
// keep, and nothing leaves the device until they press a button that says where it goes.
// Opened by the background (toolbar button or context menu) as report.html?tab=ID[&src=IMAGE].
import init, * as engine from '../pkg/sentinelle.js';
import { policyReader } from '../shared/managed-policy.js';
import { drawPicture } from '../shared/pixels.js';
import {
  SITUATIONS, SITUATION_KEYS, bundleFileName, evidencePlan, evidenceTarget, guessCountry, intakePayload, prefillUrl, receiptFile, receiptFileName,
  summaryText, utcSeconds,
} from './report-model.js';

/** @param {string} key @param {string[]} [subs] */
const t = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
const language = chrome.i18n.getUILanguage().split(/[-_]/)[0] ?? 'en';
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const checked = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id)).checked;

const params = new URLSearchParams(location.search);
const tabId = Number(params.get('tab'));
const imageUrl = params.get('src');

/**
 * @typedef {{url: string, title: string | null, id: number, windowId: number}} Target
 * @type {{target: Target | null, route: any, openedAt: string, images: import('./report-model.js').ImageRecord[],
 *   bundle: import('./report-model.js').BundleInfo | null, capturedAt: string, notices: any[], blobUrl: string | null,
 *   zip: Uint8Array | null}}
 */
const state = { target: null, route: null, openedAt: utcSeconds(new Date()), images: [], bundle: null, capturedAt: '', notices: [], blobUrl: null, zip: null };

function translatePage() {
  document.documentElement.lang = language;
  document.documentElement.dir = t('dir') === 'rtl' ? 'rtl' : 'ltr';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {string} */ (/** @type {HTMLElement} */ (el).dataset.i18n));
  document.title = t('reportTitle');
}

/** @returns {Promise<Target | null>} */
async function loadTarget() {
  if (!Number.isInteger(tabId) || tabId < 0) return null;
  try {
    const tab = await chrome.tabs.get(tabId);
    if (!tab.url || typeof tab.windowId !== 'number') return null;
    return { url: tab.url, title: tab.title || null, id: tabId, windowId: tab.windowId };
  } catch {
    return null;
  }
}

/** The managed policy, without the seconds Chromium takes to load it after a start. Only the
 * background writes the copy of it. */
const policies = policyReader({ managed: chrome.storage.managed, local: chrome.storage.local, keepCopy: false });

/** Helplines an organisation added (managed policy), or for tests (local storage). */
async function extraHelplines() {
  /** @type {any[]} */
  const extra = [];
  const answer = await policies.read();
  // With nothing known yet (a new install), the helplines wait for the browser however long.
  const policy = answer.from === 'none' ? await policies.live() : answer.policy;
  let local = {};
  try {
    local = await chrome.storage.local.get('extraHelplines');
  } catch { /* none, then */ }
  for (const given of [policy?.extraHelplines, /** @type {{extraHelplines?: unknown}} */ (local).extraHelplines]) {
    try {
      // A policy gives a JSON string (Chromium's managed schema has no "any" type); tests and
      // local storage may give the array itself.
      const value = typeof given === 'string' ? JSON.parse(given) : given;
      if (Array.isArray(value)) extra.push(...value);
    } catch { /* not JSON: ignored, as the engine would refuse it */ }
  }
  return extra.length ? JSON.stringify(extra) : undefined;
}

function buildQuestions() {
  const box = $('situations');
  for (const situation of SITUATIONS) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    Object.assign(input, { type: 'radio', name: 'situation', value: situation, required: true });
    label.append(input, ' ', t(SITUATION_KEYS[situation]));
    box.append(label);
  }
  box.addEventListener('change', updateMinorQuestion);
  const directory = engine.helplineDirectory(undefined);
  const countries = Object.keys(directory.emergency).sort();
  const select = /** @type {HTMLSelectElement} */ ($('country'));
  const names = new Intl.DisplayNames([language], { type: 'region' });
  for (const code of countries) select.append(new Option(names.of(code) ?? code, code));
  select.append(new Option(t('reportCountryOther'), ''));
  select.value = guessCountry(navigator.languages, countries);
}

function situation() {
  return /** @type {HTMLInputElement | null} */ (document.querySelector('input[name=situation]:checked'))?.value ?? '';
}

function updateMinorQuestion() {
  const s = situation();
  $('minor-set').hidden = s === 'child-abuse';
  $('minor-legend').textContent = t(s === 'deepfake-other' ? 'reportMinorQuestionOther' : 'reportMinorQuestion');
}

/** @param {SubmitEvent} event */
async function showRoute(event) {
  event.preventDefault();
  if (!state.target) return;
  const minor = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name=minor]:checked'))?.value === 'yes';
  const country = /** @type {HTMLSelectElement} */ ($('country')).value || null;
  state.route = engine.routeReport({ situation: situation(), minor, country }, await extraHelplines());
  // A new answer starts a new evidence file: what was made for another situation is dropped.
  forgetBundle();
  renderRoute();
  $('result').hidden = false;
  $('emergency').focus?.();
}

function renderRoute() {
  const route = state.route;
  const emergency = route.emergency;
  const line = $('emergency');
  line.textContent = '';
  if (emergency) {
    const link = document.createElement('a');
    link.href = `tel:${emergency.number}`;
    link.textContent = t('reportEmergency', [emergency.number]);
    line.append(link);
  } else {
    line.textContent = t('reportEmergencyUnknown');
  }
  const childMaterial = !route.evidence.screenshot;
  $('child-rule').hidden = !childMaterial;
  const list = $('helplines');
  list.textContent = '';
  for (const ranked of route.helplines) list.append(helplineItem(ranked));

  const pictures = route.evidence.screenshot;
  $('keep-screenshot').hidden = !pictures;
  $('keep-archive').hidden = !pictures || !chrome.pageCapture;
  $('archive-unavailable').hidden = !pictures || Boolean(chrome.pageCapture);
  $('no-pictures').hidden = pictures;
  $('keep-hashes').hidden = !imageUrl;
  showSummary();
}

/** Shows, before any button is pressed, the text a form button will put on the clipboard. */
function showSummary() {
  $('summary-text').textContent = summary();
}

/** @param {any} ranked */
function helplineItem(ranked) {
  const h = ranked.helpline;
  const li = document.createElement('li');
  li.dataset.helpline = h.id;
  const name = document.createElement('span');
  name.className = 'helpline-name';
  name.textContent = h.names[language] ?? h.names.en;
  li.append(name);
  if (ranked.recommended) {
    const badge = document.createElement('span');
    badge.className = 'recommended';
    badge.textContent = t('reportRecommended');
    li.append(badge);
  }
  const note = document.createElement('p');
  note.textContent = h.notes[language] ?? h.notes.en;
  const reasons = document.createElement('ul');
  reasons.className = 'reasons';
  for (const code of ranked.reasons) {
    const item = document.createElement('li');
    item.textContent = t(`reason_${code.replaceAll('-', '_')}`);
    reasons.append(item);
  }
  li.append(note, reasons);
  const actions = document.createElement('div');
  for (const phone of h.phone) {
    const a = document.createElement('a');
    a.className = 'button';
    a.href = `tel:${phone.tel}`;
    a.textContent = t('reportCall', [phone.number]) + (phone.hours ? ` (${phone.hours})` : '');
    actions.append(a);
  }
  const open = document.createElement('button');
  open.type = 'button';
  open.dataset.action = 'open-form';
  open.textContent = t('reportOpenForm');
  open.addEventListener('click', () => openForm(h));
  actions.append(open);
  if (h.email) {
    const mail = document.createElement('button');
    mail.type = 'button';
    mail.dataset.action = 'email';
    mail.textContent = t('reportEmail');
    mail.addEventListener('click', () => {
      const subject = t('reportTitle');
      window.open(`mailto:${h.email}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(summary())}`, '_blank');
    });
    actions.append(mail);
  }
  if (h.intake) {
    const send = document.createElement('button');
    send.type = 'button';
    send.dataset.action = 'preview-send';
    send.textContent = t('reportSend', [h.names[language] ?? h.names.en]);
    send.addEventListener('click', () => previewSend(li, h));
    actions.append(send);
  }
  li.append(actions);
  return li;
}

function facts() {
  const target = /** @type {Target} */ (state.target);
  return {
    page: { url: target.url, title: target.title },
    capturedAt: state.capturedAt || state.openedAt,
    situation: state.route.situation,
    minor: state.route.minor,
    country: state.route.country ?? '',
    images: state.images,
    bundle: state.bundle,
  };
}

function summary() {
  return summaryText(facts(), t);
}

/** Puts the summary on the clipboard, then opens the official form (prefilled if it can be). */
/** @param {any} h */
async function openForm(h) {
  const text = summary();
  try {
    await navigator.clipboard.writeText(text);
    $('make-status').textContent = t('reportCopied');
  } catch { /* the form still opens; the summary is on screen in the evidence section */ }
  const f = facts();
  const url = h.form.prefill
    ? prefillUrl(h.form.prefill.url, { url: f.page.url, title: f.page.title ?? '', time: f.capturedAt, situation: f.situation, summary: text })
    : h.report_url;
  await chrome.tabs.create({ url, index: undefined, active: true });
}

/** Shows the exact JSON that would be sent, and sends only on a second press. */
/** @param {HTMLElement} li @param {any} h */
async function previewSend(li, h) {
  await ensureImageHashes();
  const payload = intakePayload({ ...facts(), helplineId: h.id, language, version: chrome.runtime.getManifest().version });
  const body = JSON.stringify(payload, null, 2);
  li.querySelector('.send-box')?.remove();
  const box = document.createElement('div');
  box.className = 'send-box';
  const intro = document.createElement('p');
  intro.textContent = t('reportSendPreview', [h.intake.url]);
  const pre = document.createElement('pre');
  pre.className = 'preview';
  pre.textContent = body;
  const confirm = document.createElement('button');
  confirm.type = 'button';
  confirm.className = 'primary';
  confirm.dataset.action = 'send';
  confirm.textContent = t('reportSendConfirm');
  // The evidence file goes only if the person ticks this, after seeing its name.
  const zip = state.zip;
  const withEvidence = document.createElement('input');
  withEvidence.type = 'checkbox';
  withEvidence.id = 'send-evidence';
  const evidenceLabel = document.createElement('label');
  if (state.bundle && zip) {
    evidenceLabel.append(withEvidence, ' ', t('reportSendEvidence', [state.bundle.fileName]));
  }
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  const result = document.createElement('div');
  result.className = 'send-result';
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    result.textContent = '';
    try {
      const response = await fetch(h.intake.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, credentials: 'omit' });
      if (!response.ok) {
        status.textContent = t('reportSendFailed');
        return;
      }
      /** @type {any} */
      const answer = await response.json().catch(() => null);
      if (answer?.receipt && typeof answer.id === 'string') {
        await keepReceipt(h, body, answer, result);
        status.textContent = t('reportReceived', [String(answer.receipt.received_at ?? '').replace('T', ' ').replace('Z', '')]);
      } else {
        status.textContent = t('reportSent');
      }
      if (withEvidence.checked && zip && answer) await sendEvidence(h, answer, zip, result);
    } catch {
      status.textContent = t('reportSendFailed');
    } finally {
      confirm.disabled = false;
    }
  });
  box.append(intro, pre, evidenceLabel, confirm, status, result);
  li.append(box);
}

/**
 * Keeps the intake's receipt: offered as a file to save next to the evidence file, and kept in
 * the extension's storage (the last 50).
 * @param {any} h @param {string} sentText @param {any} answer @param {HTMLElement} into
 */
async function keepReceipt(h, sentText, answer, into) {
  const file = receiptFile(h.intake.url, sentText, answer.receipt);
  const text = JSON.stringify(file, null, 2);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.download = receiptFileName(answer.id);
  link.dataset.action = 'save-receipt';
  link.className = 'button';
  link.textContent = t('reportSaveReceipt');
  into.append(link);
  const { receipts = [] } = await chrome.storage.local.get('receipts');
  const kept = Array.isArray(receipts) ? receipts : [];
  await chrome.storage.local.set({ receipts: [...kept, { helpline: h.id, ...file }].slice(-50) });
}

/**
 * Uploads the evidence file to the intake that took the report, with the token it gave.
 * @param {any} h @param {any} answer @param {Uint8Array} zip @param {HTMLElement} into
 */
async function sendEvidence(h, answer, zip, into) {
  const line = document.createElement('p');
  line.setAttribute('role', 'status');
  line.dataset.result = 'evidence';
  into.append(line);
  const target = evidenceTarget(h.intake.url, answer.evidence_url);
  if (!target || typeof answer.evidence_token !== 'string') {
    line.textContent = t('reportEvidenceNotSent');
    return;
  }
  try {
    const response = await fetch(target, {
      method: 'PUT',
      headers: { 'content-type': 'application/zip', authorization: `Bearer ${answer.evidence_token}` },
      body: /** @type {Uint8Array<ArrayBuffer>} */ (zip),
      credentials: 'omit',
    });
    /** @type {any} */
    const verdict = await response.json().catch(() => null);
    if (response.ok && verdict?.verdict === 'valid') {
      line.textContent = t('reportEvidenceAccepted');
    } else {
      // The reasons are codes for the helpline (kept on the element), not words for the person.
      line.dataset.problems = response.ok ? (verdict?.problems ?? []).join(' ') : String(verdict?.error?.code ?? response.status);
      line.textContent = t('reportEvidenceRejected');
    }
  } catch {
    line.textContent = t('reportEvidenceNotSent');
  }
}

/** Fetches the chosen image once and keeps its hashes (never its bytes). */
async function ensureImageHashes() {
  if (!imageUrl || state.images.length || !checked('want-hashes')) return;
  const response = await fetch(imageUrl, { credentials: 'omit', cache: 'force-cache' });
  if (!response.ok) throw new Error(`the image could not be read (${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  /** @type {{pdq: {hash: string, quality: number} | null, md5: string, sha256: string}} */
  let hashes;
  try {
    hashes = engine.hashImage(bytes);
  } catch {
    const digests = engine.fileDigests(bytes);
    hashes = { ...digests, pdq: await pdqViaBrowser(bytes) };
  }
  state.images = [{
    url: imageUrl.startsWith('data:') ? null : imageUrl,
    md5: hashes.md5,
    sha256: hashes.sha256,
    pdq: hashes.pdq?.hash ?? null,
    pdq_quality: hashes.pdq?.quality ?? null,
  }];
}

/** PDQ for formats the engine does not decode (WebP, GIF...), from the browser's decoder. */
/** @param {Uint8Array} bytes */
async function pdqViaBrowser(bytes) {
  try {
    const { bitmap, width, height, rgba } = await drawPicture(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]));
    bitmap.close();
    return engine.pdqFromRgba(width, height, rgba());
  } catch {
    return null;
  }
}

/** The device key's seed, made once with the browser's randomness and kept in local storage. */
async function deviceSeed() {
  const got = await chrome.storage.local.get('evidenceKeySeed');
  if (typeof got.evidenceKeySeed === 'string' && /^[0-9a-f]{64}$/.test(got.evidenceKeySeed)) {
    return Uint8Array.from(/** @type {string[]} */ (got.evidenceKeySeed.match(/../g)), (h) => parseInt(h, 16));
  }
  const seed = crypto.getRandomValues(new Uint8Array(32));
  await chrome.storage.local.set({ evidenceKeySeed: [...seed].map((b) => b.toString(16).padStart(2, '0')).join('') });
  return seed;
}

/** Shows the reported tab for a moment and takes a picture of it. */
/** @param {Target} target */
async function captureScreenshot(target) {
  const me = await chrome.tabs.getCurrent();
  await chrome.tabs.update(target.id, { active: true });
  await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const dataUrl = await chrome.tabs.captureVisibleTab(target.windowId, { format: 'png' });
    return new Uint8Array(await (await fetch(dataUrl)).arrayBuffer());
  } finally {
    if (me?.id !== undefined) await chrome.tabs.update(me.id, { active: true });
  }
}

/** @param {Target} target */
async function captureArchive(target) {
  const blob = await chrome.pageCapture.saveAsMHTML({ tabId: target.id });
  return new Uint8Array(await /** @type {Blob} */ (blob).arrayBuffer());
}

function forgetBundle() {
  if (state.blobUrl) URL.revokeObjectURL(state.blobUrl);
  Object.assign(state, { bundle: null, blobUrl: null, capturedAt: '', zip: null });
  $('made').hidden = true;
  $('make-status').textContent = '';
}

async function makeBundle() {
  const target = state.target;
  if (!target || !state.route) return;
  forgetBundle();
  const button = /** @type {HTMLButtonElement} */ ($('make'));
  button.disabled = true;
  $('make-status').textContent = t('reportMaking');
  try {
    const plan = evidencePlan(state.route.evidence,
      { screenshot: checked('want-screenshot'), archive: checked('want-archive'), hashes: checked('want-hashes') },
      { archiveAvailable: Boolean(chrome.pageCapture), hasImage: Boolean(imageUrl) });
    state.capturedAt = utcSeconds(new Date());
    /** @type {{name: string, kind: string, media_type: string}[]} */
    const files = [];
    /** @type {Uint8Array[]} */
    const contents = [];
    if (plan.screenshot) {
      contents.push(await captureScreenshot(target));
      files.push({ name: 'screenshot.png', kind: 'screenshot', media_type: 'image/png' });
    }
    if (plan.archive) {
      contents.push(await captureArchive(target));
      files.push({ name: 'page.mhtml', kind: 'archive', media_type: 'multipart/related' });
    }
    if (plan.hashes) await ensureImageHashes();
    if (checked('notice-add')) {
      for (const notice of state.notices) {
        contents.push(new TextEncoder().encode(`${notice.subject}\n\n${notice.body}\n\n${notice.disclaimer}\n`));
        files.push({ name: `notice-${notice.id}-${notice.language}.txt`, kind: 'document', media_type: 'text/plain; charset=utf-8' });
      }
    }
    const seed = await deviceSeed();
    const request = {
      software_name: 'Sentinelle extension',
      software_version: chrome.runtime.getManifest().version,
      captured_at: state.capturedAt,
      url: target.url,
      title: target.title,
      situation: state.route.situation,
      images: plan.hashes ? state.images : [],
      files,
    };
    const zip = engine.buildBundle(request, contents, seed);
    const verdict = engine.verifyBundle(zip);
    if (!verdict.valid) throw new Error(verdict.problems[0]?.message ?? 'the bundle did not verify');
    const key = engine.publicKeyInfo(seed);
    const manifestBytes = engine.bundleFile(zip, 'manifest.json');
    const fileName = bundleFileName(state.capturedAt);
    state.bundle = { fileName, manifestSha256: engine.fileDigests(manifestBytes).sha256, fingerprint: key.fingerprint, publicKey: key.public_key };
    state.zip = zip;
    state.blobUrl = URL.createObjectURL(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (zip)], { type: 'application/zip' }));
    const link = /** @type {HTMLAnchorElement} */ ($('download'));
    link.href = state.blobUrl;
    link.download = fileName;
    const list = $('made-files');
    list.textContent = '';
    for (const file of verdict.files) {
      const li = document.createElement('li');
      li.textContent = `${file.path} (${file.size} B)`;
      list.append(li);
    }
    for (const image of request.images) {
      const li = document.createElement('li');
      li.textContent = `MD5 ${image.md5} · SHA-256 ${image.sha256}${image.pdq ? ` · PDQ ${image.pdq}` : ''}`;
      list.append(li);
    }
    $('made-key').textContent = t('reportKeyFingerprint', [key.fingerprint]);
    $('made').hidden = false;
    $('make-status').textContent = '';
    showSummary();
    link.focus();
  } catch (error) {
    $('make-status').textContent = t('reportMakeFailed', [error instanceof Error ? error.message : String(error)]);
  } finally {
    button.disabled = false;
  }
}

/** @param {SubmitEvent} event */
function makeNotices(event) {
  event.preventDefault();
  if (!state.target || !state.route) return;
  const notice = /** @type {HTMLInputElement} */ (document.querySelector('input[name=notice]:checked')).value;
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value;
  const urls = [state.target.url, ...(imageUrl && !imageUrl.startsWith('data:') ? [imageUrl] : [])];
  const hashes = state.images.flatMap((i) => [`SHA-256 ${i.sha256}`, ...(i.pdq ? [`PDQ ${i.pdq}`] : [])]);
  const email = value('notice-email');
  state.notices = engine.renderNotices({
    notice, situation: state.route.situation, language, urls, hashes,
    name: value('notice-name'), email, contact: email, signature: value('notice-signature'),
    date: utcSeconds(new Date()).slice(0, 10), platform: new URL(state.target.url).hostname, reference: '',
  });
  const box = $('notices');
  box.textContent = '';
  for (const n of state.notices) {
    const area = document.createElement('textarea');
    area.readOnly = true;
    area.lang = n.language;
    area.value = `${n.subject}\n\n${n.body}\n\n${n.disclaimer}`;
    area.setAttribute('aria-label', n.subject);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = t('reportNoticeCopy');
    copy.addEventListener('click', () => navigator.clipboard.writeText(area.value).catch(() => area.select()));
    box.append(area, copy);
    if (n.missing.length) {
      const p = document.createElement('p');
      p.className = 'problem';
      p.textContent = t('reportNoticeMissing', [n.missing.join(', ')]);
      box.append(p);
    }
  }
  $('notice-add-label').hidden = false;
}

async function main() {
  translatePage();
  await init();
  state.target = await loadTarget();
  if (!state.target) {
    $('no-page').hidden = false;
    $('questions').hidden = true;
    return;
  }
  $('page-url').textContent = state.target.url;
  if (imageUrl) {
    $('image-label').hidden = false;
    $('image-url').hidden = false;
    $('image-url').textContent = imageUrl.startsWith('data:') ? imageUrl.slice(0, 40) + '…' : imageUrl;
  }
  buildQuestions();
  $('questions').addEventListener('submit', (e) => { showRoute(/** @type {SubmitEvent} */ (e)).catch(console.error); });
  $('make').addEventListener('click', () => { makeBundle().catch(console.error); });
  $('notice-form').addEventListener('submit', (e) => makeNotices(/** @type {SubmitEvent} */ (e)));
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  $('no-page').hidden = false;
  $('no-page').textContent = String(error);
});
