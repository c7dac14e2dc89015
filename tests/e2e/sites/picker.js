// A site that reads photos through the File System Access API (as @mantine/dropzone does).
'use strict';
/* global describeFile */
/** @type {{source: string, event: string, files: {name: string, size: number, sha256: string}[]}[]} */
const pageSaw = [];
/** @type {any} */ (window).pageSaw = pageSaw;
document.getElementById('pick')?.addEventListener('click', async () => {
  try {
    const [handle] = await /** @type {any} */ (window).showOpenFilePicker({ types: [{ accept: { 'image/*': ['.jpg'] } }] });
    const file = await handle.getFile();
    pageSaw.push({ source: 'picker', event: 'getFile', files: [await describeFile(file)] });
  } catch (error) {
    pageSaw.push({ source: 'picker', event: `error:${/** @type {Error} */ (error).name}`, files: [] });
  }
});
