// A busy page: 10 000 elements and a high mutation rate, plus shadow roots, detached inputs and
// many insertions (the things the MAIN-world hook wraps). window.runWorkload() returns how long a fixed amount of
// work took, for comparing a browser with and without the extension.
'use strict';
const grid = /** @type {HTMLElement} */ (document.getElementById('grid'));
for (let i = 0; i < 10_000; i += 1) {
  const cell = document.createElement('span');
  cell.textContent = String(i % 10);
  grid.append(cell);
}

/** @param {number} rounds */
function workload(rounds) {
  const cells = grid.children;
  for (let r = 0; r < rounds; r += 1) {
    for (let i = 0; i < 500; i += 1) cells[(r * 500 + i) % cells.length]?.setAttribute('data-v', String(r));
    // Many small insertions, as a framework renders a list (the hook wraps every insertion).
    const list = document.createElement('ul');
    for (let i = 0; i < 100; i += 1) list.appendChild(document.createElement('li')).textContent = String(i);
    grid.append(list);
    list.remove();
    const extra = document.createElement('div');
    extra.attachShadow({ mode: 'open' }).append(document.createElement('input'));
    grid.append(extra);
    extra.remove();
    const input = document.createElement('input');
    input.type = 'text';
    input.click();
    void grid.offsetHeight; // force layout, as a real page would
  }
}

/** @type {any} */ (window).runWorkload = (/** @type {number} */ rounds) => {
  const start = performance.now();
  workload(rounds);
  return performance.now() - start;
};
