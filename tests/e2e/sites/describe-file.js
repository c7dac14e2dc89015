// Shared by the fixture sites (a classic script, loaded first): what a page's own handler can
// tell about a file it received, so tests compare exact bytes by hash.
'use strict';

/** @param {Blob} blob @returns {Promise<string>} */
async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** @param {File} file */
async function describeFile(file) {
  return { name: file.name, size: file.size, type: file.type, sha256: await sha256Hex(file) };
}

// The fixture scripts are classic scripts sharing one window; make the sharing explicit.
Object.assign(globalThis, { sha256Hex, describeFile });
