// The engine's nudity classifier (a MobileNetV2 interpreter in Rust, in the shipped wasm) against
// TensorFlow.js running the very same nsfwjs model, on the same inputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const engine = await import(join(ROOT, 'pkg', 'sentinelle.js'));
engine.initSync({ module: readFileSync(join(ROOT, 'pkg', 'sentinelle_bg.wasm')) });

const model = JSON.parse(readFileSync(join(ROOT, 'models', 'nsfw_mobilenet_v2', 'model.json'), 'utf8'));
const weights = readFileSync(join(ROOT, 'models', 'nsfw_mobilenet_v2', 'weights.bin'));
const reference = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: model.modelTopology,
  weightSpecs: model.weightsManifest[0].weights,
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));

/** Inputs that exercise every layer: a gradient, noise, a skin-toned field, black, white. */
function inputs() {
  const n = 224 * 224 * 3;
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  return {
    gradient: Float32Array.from({ length: n }, (_, i) => ((i % 672) / 672 + Math.floor(i / 672) / 224) / 2),
    noise: Float32Array.from({ length: n }, rand),
    skin: Float32Array.from({ length: n }, (_, i) => [0.87, 0.68, 0.58][i % 3] + (rand() - 0.5) * 0.1),
    black: new Float32Array(n),
    white: new Float32Array(n).fill(1),
  };
}

for (const [name, input] of Object.entries(inputs())) {
  test(`nudity classifier matches TensorFlow.js on ${name}`, () => {
    const want = /** @type {Float32Array} */ (tf.tidy(() => /** @type {tf.Tensor} */ (reference.predict(tf.tensor4d(input, [1, 224, 224, 3]))).dataSync()));
    const got = engine.classifyNudityInput(input);
    const classes = [got.classes.drawing, got.classes.hentai, got.classes.neutral, got.classes.porn, got.classes.sexy];
    for (let i = 0; i < 5; i += 1) {
      assert.ok(Math.abs((classes[i] ?? 0) - (want[i] ?? 0)) < 2e-3, `${name} class ${i}: ${classes[i]} vs ${want[i]}`);
    }
    assert.ok(Math.abs(got.score - ((want[1] ?? 0) + (want[3] ?? 0))) < 3e-3);
  });
}

test('the resize the engine does matches TensorFlow.js resizeBilinear(alignCorners) as nsfwjs feeds it', () => {
  const w = 300;
  const h = 200;
  const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37 + (i >> 7)) % 256);
  const rgb = Float32Array.from({ length: w * h * 3 }, (_, i) => (rgba[Math.floor(i / 3) * 4 + (i % 3)] ?? 0) / 255);
  const fed = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(rgb, [h, w, 3]), [224, 224], true).reshape([1, 224, 224, 3]));
  const want = /** @type {Float32Array} */ (tf.tidy(() => /** @type {tf.Tensor} */ (reference.predict(fed)).dataSync()));
  const got = engine.detectNudityRgba(rgba, w, h);
  assert.ok(Math.abs(got.classes.neutral - (want[2] ?? 0)) < 3e-3, `${got.classes.neutral} vs ${want[2]}`);
  assert.ok(Math.abs(got.classes.porn - (want[3] ?? 0)) < 3e-3);
  assert.throws(() => engine.detectNudityRgba(new Uint8Array(10), 2, 2), /size/);
});
