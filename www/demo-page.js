// The demo site's own script: it logs what its listeners see, as any site's would. The end-to-end
// tests read window.pageSaw to prove what reached the page.
'use strict';
/** @type {{seq: number, event: string, trusted: boolean, files: {name: string, size: number, type: string, sha256: string}[]}[]} */
const pageSaw = [];
/** Events are numbered when they happen: hashing is asynchronous and may finish out of order. */
let nextSeq = 0;
/** @type {any} */ (window).pageSaw = pageSaw;

/** @param {ArrayBuffer} buffer */
async function sha256(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** @param {Event} event */
async function record(event) {
  const seq = nextSeq;
  nextSeq += 1;
  const input = /** @type {HTMLInputElement} */ (event.target);
  const files = await Promise.all(Array.from(input.files ?? []).map(async (f) => ({
    name: f.name, size: f.size, type: f.type, sha256: await sha256(await f.arrayBuffer()),
  })));
  pageSaw.push({ seq, event: event.type, trusted: event.isTrusted, files });
  pageSaw.sort((a, b) => a.seq - b.seq);
  const item = document.createElement('li');
  item.textContent = `${event.type}: ${files.map((f) => `${f.name} (${f.size} bytes)`).join(', ') || 'no file'}`;
  document.getElementById('page-log')?.append(item);
}

const photo = document.getElementById('photo');
photo?.addEventListener('input', record);
photo?.addEventListener('change', record);
