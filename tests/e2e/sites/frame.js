// An upload form inside a frame (same-origin, cross-origin or srcdoc): it tells the parent page
// what it got. The srcdoc frame has no query string, but can see its own <iframe> element.
'use strict';
/* global describeFile */
const framed = /** @type {HTMLInputElement} */ (document.getElementById('framed'));
framed.addEventListener('change', async () => {
  const files = await Promise.all(Array.from(framed.files ?? []).map(describeFile));
  const name = new URLSearchParams(location.search).get('name') ?? window.frameElement?.id ?? 'frame';
  parent.postMessage({ fixtureFrame: name, files }, '*');
});
