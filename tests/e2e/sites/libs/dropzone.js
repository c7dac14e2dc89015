// Dropzone as sites use it: the zone opens its own hidden input and uploads by XHR at once.
'use strict';
const Dz = /** @type {any} */ (window).Dropzone;
Dz.autoDiscover = false;
const zone = new Dz('#zone', { url: '/upload?format=json', paramName: 'photo', autoProcessQueue: true });
/** @type {any} */ (window).uploaded = [];
zone.on('success', (/** @type {File} */ file) => /** @type {any} */ (window).uploaded.push(file.name));
