// Checks an evidence bundle with the engine (the same code as `sentinelle verify`) and shows what
// it holds. Pictures are shown only when the bundle verifies and is not a child-abuse report
// (those never hold pictures; one that does is flagged and its files are not opened).
import init, { bundleFile, checkReceiptFile, fileDigests, verifyBundle } from '../pkg/sentinelle.js';

const ready = init();
const input = /** @type {HTMLInputElement} */ (document.getElementById('bundle'));
const verdict = /** @type {HTMLElement} */ (document.getElementById('verdict'));
const details = /** @type {HTMLElement} */ (document.getElementById('details'));
const receiptInput = /** @type {HTMLInputElement} */ (document.getElementById('receipt'));
const receiptVerdict = /** @type {HTMLElement} */ (document.getElementById('receipt-verdict'));
/** SHA-256 of the chosen bundle's manifest.json, when one was read. */
/** @type {string | null} */
let manifestSha256 = null;

/** What each receipt problem means, in plain words. */
const RECEIPT_PROBLEMS = {
  'receipt-invalid': 'not a receipt this version reads, or unreadable',
  'key-mismatch': 'the fingerprint is not the key\'s',
  'signature-invalid': 'the signature does not match: the receipt was edited',
  'report-mismatch': 'the report kept with it is not the one the helpline signed for',
  'bundle-mismatch': 'the report named another evidence file than the one chosen above (or none)',
};

/** Checks the chosen receipt file, against the chosen bundle when there is one. */
async function checkReceipt() {
  const file = receiptInput.files?.[0];
  receiptVerdict.textContent = '';
  if (!file) return;
  await ready;
  /** @type {any} */
  let r;
  try {
    r = checkReceiptFile(new Uint8Array(await file.arrayBuffer()), manifestSha256 ?? undefined);
  } catch (error) {
    const e = /** @type {{code?: string, message?: string}} */ (error);
    receiptVerdict.append(el('p', `Not a receipt file: ${e.message ?? String(error)} (${e.code ?? 'error'})`, 'invalid'));
    receiptVerdict.dataset.state = 'error';
    return;
  }
  receiptVerdict.dataset.state = r.valid ? 'valid' : 'invalid';
  if (r.valid) {
    const about = manifestSha256 ? 'the report naming this evidence file' : 'the report kept in this receipt (choose the evidence file above to check that it names it)';
    receiptVerdict.append(el('p', `VALID RECEIPT: ${r.intake} received ${about} at ${r.received_at} (UTC), signed by its key ${r.key_fingerprint}.`, 'valid'));
  } else {
    const box = el('div', '', 'invalid');
    box.append(el('p', 'NOT A VALID RECEIPT for this evidence file.'));
    const list = document.createElement('ul');
    for (const code of r.problems) list.append(el('li', `[${code}] ${RECEIPT_PROBLEMS[/** @type {keyof typeof RECEIPT_PROBLEMS} */ (code)] ?? ''}`));
    box.append(list);
    receiptVerdict.append(box);
  }
  receiptVerdict.append(table([['Report id', r.report_id], ['Received (UTC)', r.received_at], ['Sent to', r.intake]]));
}

receiptInput.addEventListener('change', () => { checkReceipt().catch(console.error); });
/** @type {string[]} */
let blobUrls = [];

/** @param {string} tag @param {string} text @param {string} [className] */
function el(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** @param {[string, string | null | undefined][]} rows */
function table(rows) {
  const t = document.createElement('table');
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    const tr = document.createElement('tr');
    tr.append(el('th', key), el('td', value));
    t.append(tr);
  }
  return t;
}

input.addEventListener('change', async () => {
  const file = input.files?.[0];
  if (!file) return;
  await ready;
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  verdict.textContent = '';
  details.textContent = '';
  const bytes = new Uint8Array(await file.arrayBuffer());
  manifestSha256 = null;
  /** @type {any} */
  let v;
  try {
    v = verifyBundle(bytes);
  } catch (error) {
    const e = /** @type {{code?: string, message?: string}} */ (error);
    verdict.append(el('p', `Not an evidence file: ${e.message ?? String(error)} (${e.code ?? 'error'})`, 'invalid'));
    verdict.dataset.state = 'error';
    return;
  }
  verdict.dataset.state = v.valid ? 'valid' : 'invalid';
  try {
    manifestSha256 = fileDigests(bundleFile(bytes, 'manifest.json')).sha256;
  } catch { /* no manifest: a receipt cannot name this file */ }
  await checkReceipt();
  if (v.valid) {
    verdict.append(el('p', `VALID: every file is as it was when captured, signed by key ${v.manifest.key.fingerprint}.`, 'valid'));
  } else {
    const box = el('div', '', 'invalid');
    box.append(el('p', 'NOT VALID: this file was changed after it was made, or is damaged.'));
    const list = document.createElement('ul');
    for (const p of v.problems) list.append(el('li', `[${p.code}] ${p.path ? `${p.path}: ` : ''}${p.message}`));
    box.append(list);
    verdict.append(box);
  }
  const m = v.manifest;
  if (!m) return;
  details.append(el('h2', 'What it says'), table([
    ['Page', m.page.url], ['Title', m.page.title], ['Captured (UTC)', m.captured_at], ['Situation', m.situation],
    ['Made by', `${m.software.name} ${m.software.version} (engine ${m.software.engine})`], ['Key fingerprint', m.key.fingerprint],
  ]));
  if (m.images.length) {
    details.append(el('h2', 'Images, by their hashes'));
    for (const i of m.images) details.append(table([['Address', i.url], ['MD5', i.md5], ['SHA-256', i.sha256], ['PDQ', i.pdq], ['PDQ quality', i.pdq_quality?.toString()]]));
  }
  details.append(el('h2', 'Files'));
  const files = document.createElement('table');
  for (const f of v.files) {
    const tr = document.createElement('tr');
    tr.append(el('td', f.ok ? 'ok' : 'PROBLEM'), el('td', f.path), el('td', f.kind ?? 'unlisted'), el('td', `${f.size ?? '?'} bytes`));
    files.append(tr);
  }
  details.append(files);
  details.append(el('p', m.statement, 'warning'));
  // Show content only from a bundle that verified, and never pictures from a child-abuse report.
  const showPictures = v.valid && m.situation !== 'child-abuse';
  if (!v.valid) return;
  for (const f of v.files) {
    if (f.kind === 'screenshot' && showPictures && /^image\/(png|jpeg)$/.test(f.media_type)) {
      const url = URL.createObjectURL(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bundleFile(bytes, f.path))], { type: f.media_type }));
      blobUrls.push(url);
      const img = document.createElement('img');
      img.src = url;
      img.alt = `Screenshot of ${m.page.url} at ${m.captured_at}`;
      details.append(el('h2', 'Screenshot'), img);
    }
    if (f.kind === 'readme' || f.kind === 'document') {
      details.append(el('h2', f.path), el('pre', new TextDecoder().decode(bundleFile(bytes, f.path))));
    }
  }
});
