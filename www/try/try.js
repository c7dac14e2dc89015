// "Try it" page: the engine without the extension. Everything stays in this tab.
import init, { analyze, strip } from '../pkg/sentinelle.js';

const ready = init();
const input = /** @type {HTMLInputElement} */ (document.getElementById('file'));
const result = /** @type {HTMLElement} */ (document.getElementById('result'));
const download = /** @type {HTMLAnchorElement} */ (document.getElementById('download'));

/** @param {string} tag @param {string} text */
function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

input.addEventListener('change', async () => {
  const file = input.files?.[0];
  if (!file) return;
  await ready;
  const bytes = new Uint8Array(await file.arrayBuffer());
  download.hidden = true;
  try {
    /** @type {{format: string, findings: {category: string, field: string, value: string}[], location: {latitude: number, longitude: number} | null}} */
    const analysis = analyze(bytes);
    const table = document.createElement('table');
    table.append(...analysis.findings.map((f) => {
      const row = document.createElement('tr');
      row.append(cell('td', f.category), cell('td', f.field), cell('td', f.value));
      return row;
    }));
    const where = analysis.location
      ? ` It was taken at ${analysis.location.latitude.toFixed(5)}, ${analysis.location.longitude.toFixed(5)}.` : '';
    result.replaceChildren(cell('p', `${analysis.findings.length} hidden details found.${where}`), table);
    const cleaned = /** @type {Uint8Array<ArrayBuffer>} */ (strip(bytes)); // a copy, not a view on wasm memory
    URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(new File([cleaned], file.name, { type: file.type }));
    download.download = file.name.replace(/(\.[^.]+)?$/, '-clean$1');
    download.hidden = false;
  } catch (error) {
    const code = /** @type {{code?: string}} */ (error).code ?? 'engine-failed';
    const text = code === 'unsupported-format' ? 'This version checks JPEG, PNG and WebP images only.' : `This file could not be read (${code}).`;
    result.replaceChildren(cell('p', text));
    result.firstElementChild?.classList.add('error');
  }
});
