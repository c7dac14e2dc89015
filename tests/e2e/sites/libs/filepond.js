// FilePond as sites use it: it wraps the input, then uploads each file by XHR at once.
'use strict';
const FilePond = /** @type {any} */ (window).FilePond;
/** @type {any} */ (window).uploaded = [];
FilePond.create(document.querySelector('input.filepond'), {
  server: '/upload?format=json',
  instantUpload: true,
  onprocessfile: (/** @type {unknown} */ error, /** @type {{filename: string}} */ item) => {
    if (!error) /** @type {any} */ (window).uploaded.push(item.filename);
  },
});
