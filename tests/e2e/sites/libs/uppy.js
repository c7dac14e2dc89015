// Uppy as sites use it: the Dashboard's own inputs, XHR upload as soon as a file is added.
'use strict';
const { Uppy, Dashboard, XHRUpload } = /** @type {any} */ (window).Uppy;
/** @type {any} */ (window).uploaded = [];
new Uppy({ autoProceed: true })
  .use(Dashboard, { inline: true, target: '#uppy' })
  .use(XHRUpload, { endpoint: '/upload?format=json', fieldName: 'photo' })
  .on('upload-success', (/** @type {{name: string}} */ file) => /** @type {any} */ (window).uploaded.push(file.name));
