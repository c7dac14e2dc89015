// A fixture site with the upload patterns real sites use. Every handler records what it got in
// window.pageSaw, so the tests can tell exactly what reached the page.
'use strict';
/* global describeFile */
/** @type {{source: string, event: string, files: {name: string, size: number, sha256: string}[]}[]} */
const pageSaw = [];
/** @type {any} */ (window).pageSaw = pageSaw;

/** @param {string} source @param {string} event @param {FileList | File[] | null} files */
async function record(source, event, files) {
  pageSaw.push({ source, event, files: await Promise.all(Array.from(files ?? []).map(describeFile)) });
}

/** @param {HTMLInputElement} input @param {string} source */
function listen(input, source) {
  input.addEventListener('change', () => record(source, 'change', input.files));
}

// 1. A multiple input in the light DOM.
listen(/** @type {HTMLInputElement} */ (document.getElementById('multi')), 'multi');

// 1b. A folder input: the relative paths matter to the site.
const folder = /** @type {HTMLInputElement} */ (document.getElementById('folder'));
folder.addEventListener('change', async () => {
  const files = Array.from(folder.files ?? []);
  await record('folder', 'change', files);
  /** @type {any} */ (window).folderPaths = files.map((f) => f.webkitRelativePath).sort();
});

// 2. A detached input, created and clicked, never attached (the Telegram Web pattern).
/** @param {boolean} picker */
function detachedInput(picker) {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'image/*';
  input.onchange = () => record(picker ? 'detached-picker' : 'detached', 'change', input.files);
  if (picker) input.showPicker(); else input.click();
}
document.getElementById('detached')?.addEventListener('click', () => detachedInput(false));
document.getElementById('detached-picker')?.addEventListener('click', () => detachedInput(true));

// 3. Inputs inside an open and a closed shadow root.
for (const mode of /** @type {const} */ (['open', 'closed'])) {
  const host = /** @type {HTMLElement} */ (document.getElementById(`${mode}-host`));
  const root = host.attachShadow({ mode });
  const input = document.createElement('input');
  input.type = 'file';
  input.id = `${mode}-input`;
  root.append(input);
  listen(input, `${mode}-shadow`);
  // For the tests only: a handle on the closed root's input, as the test driver cannot pierce it.
  /** @type {any} */ (window)[`${mode}ShadowInput`] = input;
}

// 3b. An input in a declarative closed shadow root: only an inline handler can reach it.
/** @type {any} */ (window).recordDeclarative = (/** @type {HTMLInputElement} */ input) => record('declarative-shadow', 'change', input.files);

// 4. A drop zone, as react-dropzone reads it.
const zone = /** @type {HTMLElement} */ (document.getElementById('dropzone'));
zone.addEventListener('dragover', (e) => e.preventDefault());
zone.addEventListener('drop', (e) => {
  e.preventDefault();
  const files = Array.from(e.dataTransfer?.items ?? []).map((item) => item.getAsFile()).filter((f) => f !== null);
  record('drop', 'drop', /** @type {File[]} */ (files));
});

// 5. Uploads inside frames report here. The cross-origin frame is the same server under another
// host name (localhost vs 127.0.0.1), which makes it another origin.
window.addEventListener('message', (e) => {
  if (typeof e.data?.fixtureFrame === 'string') pageSaw.push({ source: e.data.fixtureFrame, event: 'change', files: e.data.files });
});
const cross = /** @type {HTMLIFrameElement} */ (document.getElementById('cross-origin-frame'));
const otherHost = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
cross.src = `${location.protocol}//${otherHost}:${location.port}/sites/frame.html?name=cross-origin-frame`;

// 5b. An about:blank frame the page fills itself (no document of its own is ever loaded).
const blank = /** @type {HTMLIFrameElement} */ (document.getElementById('blank-frame'));
const blankDoc = blank.contentDocument;
if (blankDoc) {
  const input = blankDoc.createElement('input');
  input.type = 'file';
  input.id = 'framed';
  blankDoc.body.append(input);
  input.addEventListener('change', async () => {
    const files = await Promise.all(Array.from(input.files ?? []).map(describeFile));
    pageSaw.push({ source: 'blank-frame', event: 'change', files });
  });
}
