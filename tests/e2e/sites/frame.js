// An upload form inside a frame (same-origin, cross-origin or srcdoc): it tells the parent page
// what it got. The srcdoc frame has no query string, but can see its own <iframe> element.
'use strict';
const framed = /** @type {HTMLInputElement} */ (document.getElementById('framed'));
framed.addEventListener('change', async () => {
  const files = await Promise.all(Array.from(framed.files ?? []).map(async (file) => {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    return { name: file.name, size: file.size, sha256 };
  }));
  const name = new URLSearchParams(location.search).get('name') ?? window.frameElement?.id ?? 'frame';
  parent.postMessage({ fixtureFrame: name, files }, '*');
});
