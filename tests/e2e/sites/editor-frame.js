// The editing area of the editor fixture: what a photo given to it (chosen, dropped, pasted)
// reaches the editor as is recorded in window.pageSaw, as the other fixture sites do.
'use strict';
/* global describeFile */
/** @type {{source: string, event: string, files: {name: string, size: number, sha256: string}[]}[]} */
const pageSaw = [];
/** @type {any} */ (window).pageSaw = pageSaw;
const source = new URLSearchParams(location.search).get('name') ?? 'editor';

/** @param {string} event @param {FileList | File[] | null | undefined} files */
async function record(event, files) {
  pageSaw.push({ source, event, files: await Promise.all(Array.from(files ?? []).map(describeFile)) });
}

const framed = /** @type {HTMLInputElement} */ (document.getElementById('framed'));
framed.addEventListener('change', () => record('change', framed.files));
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  record('drop', event.dataTransfer?.files);
});
document.addEventListener('paste', (event) => {
  if ((event.clipboardData?.files.length ?? 0) > 0) {
    event.preventDefault();
    /** @type {any} */ (window).lastPasted = Array.from(event.clipboardData?.files ?? []);
    record('paste', event.clipboardData?.files);
  }
});

/** For the tests: the bytes of the last pasted file, base64. */
/** @type {any} */ (window).lastPastedBase64 = async () => {
  const file = /** @type {any} */ (window).lastPasted?.[0];
  if (!file) return '';
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
