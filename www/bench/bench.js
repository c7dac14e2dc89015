// Times the wasm engine in this browser on the same generated images at 1 MP and 12 MP:
// the PDQ hash alone (pixels in), the whole hashImage on a JPEG (decode + PDQ + MD5 + SHA-256),
// the browser's own decode, and SHA-256 in WebCrypto. window.benchResults has the numbers.
import init, { hashImage, pdqFromRgba } from '../pkg/sentinelle.js';

// The sizes of the native criterion benchmark (benches/pdq.rs), so the numbers compare.
const SIZES = /** @type {const} */ ([['1 MP', 1280, 800], ['12 MP', 4000, 3000]]);
const RUNS = 7;
/** Untimed runs first: V8 starts wasm on a baseline compiler and tiers up to optimised code. */
const WARM_UP = 3;

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** @param {() => unknown | Promise<unknown>} fn */
async function time(fn) {
  for (let i = 0; i < WARM_UP; i += 1) await fn();
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await fn();
    runs.push(performance.now() - start);
  }
  return median(runs);
}

/** A photo-like picture: gradients, shapes and noise, so PDQ and the codecs have real work. */
function draw(/** @type {number} */ width, /** @type {number} */ height) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#0ea5e9');
  sky.addColorStop(0.6, '#f97316');
  sky.addColorStop(1, '#22c55e');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 400; i += 1) {
    ctx.fillStyle = `hsla(${rand() * 360}, 70%, ${30 + rand() * 40}%, 0.5)`;
    ctx.beginPath();
    ctx.arc(rand() * width, rand() * height, rand() * width / 12, 0, Math.PI * 2);
    ctx.fill();
  }
  const image = ctx.getImageData(0, 0, width, height);
  for (let i = 0; i < image.data.length; i += 4) {
    const n = (rand() - 0.5) * 24;
    image.data[i] = (image.data[i] ?? 0) + n;
    image.data[i + 1] = (image.data[i + 1] ?? 0) + n;
    image.data[i + 2] = (image.data[i + 2] ?? 0) + n;
  }
  ctx.putImageData(image, 0, 0);
  return { canvas, image };
}

async function run() {
  await init();
  /** @type {Record<string, Record<string, number>>} */
  const results = {};
  for (const [label, width, height] of SIZES) {
    const { canvas, image } = draw(width, height);
    const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    const blob = new Blob([jpeg], { type: 'image/jpeg' });
    results[label] = {
      // A view, not a copy: wasm-bindgen copies the bytes into wasm memory either way.
      'wasm PDQ hash alone (pixels in)': await time(() => pdqFromRgba(width, height, new Uint8Array(image.data.buffer))),
      'wasm hashImage on the JPEG (decode + PDQ + MD5 + SHA-256)': await time(() => hashImage(jpeg)),
      'browser decode of the JPEG to pixels (createImageBitmap + getImageData)': await time(async () => {
        const bitmap = await createImageBitmap(blob);
        const c = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (c.getContext('2d'));
        ctx.drawImage(bitmap, 0, 0);
        ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      }),
      'WebCrypto SHA-256 of the JPEG': await time(() => crypto.subtle.digest('SHA-256', jpeg)),
      'JPEG size (KB)': Math.round(jpeg.length / 1024),
    };
  }
  return results;
}

const status = /** @type {HTMLElement} */ (document.getElementById('status'));
run().then((results) => {
  /** @type {any} */ (window).benchResults = results;
  const tbody = /** @type {HTMLElement} */ (document.querySelector('#results tbody'));
  const rows = Object.keys(results['1 MP'] ?? {});
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const text of [row, ...SIZES.map(([label]) => (results[label]?.[row] ?? NaN).toFixed(1))]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tbody.append(tr);
  }
  status.textContent = 'Done.';
}, (error) => {
  /** @type {any} */ (window).benchResults = { error: String(error) };
  status.textContent = `Failed: ${error}`;
});
