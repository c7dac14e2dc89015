// The editor fixture: the cross-origin frame is the same server under another host name.
'use strict';
const cross = /** @type {HTMLIFrameElement} */ (document.getElementById('cross-origin-frame'));
const otherHost = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
cross.src = `${location.protocol}//${otherHost}:${location.port}/sites/editor-frame.html?name=cross-origin-frame`;
