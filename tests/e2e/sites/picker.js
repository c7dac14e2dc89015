// A site that reads photos through the File System Access API (as @mantine/dropzone does).
'use strict';
/** @type {{source: string, event: string, files: {name: string, size: number, sha256: string}[]}[]} */
const pageSaw = [];
/** @type {any} */ (window).pageSaw = pageSaw;
document.getElementById('pick')?.addEventListener('click', async () => {
  try {
    const [handle] = await /** @type {any} */ (window).showOpenFilePicker({ types: [{ accept: { 'image/*': ['.jpg'] } }] });
    const file = await handle.getFile();
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    pageSaw.push({ source: 'picker', event: 'getFile', files: [{ name: file.name, size: file.size, sha256 }] });
  } catch (error) {
    pageSaw.push({ source: 'picker', event: `error:${/** @type {Error} */ (error).name}`, files: [] });
  }
});
