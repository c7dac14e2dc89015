// The nudity check on a second thread: the guard frame looks for faces while this worker, with
// its own instance of the engine, runs the nudity classifier on the same pixels. The frame's
// compiled engine comes first; then pixels come in and a score goes out; nothing else.
import init, { detectNudityRgba, prepareVision } from '../pkg/sentinelle.js';

/** @type {(module: WebAssembly.Module) => void} */
let haveModule = () => {};
// Once instantiated, the classifier is run on a grey picture (unless pixels are already waiting):
// the model is parsed, the browser optimises the hot code and the memory grows now, while the
// person is still choosing (the first photo took about 90 ms longer otherwise). A failed warm-up
// changes nothing: the real request reports its own failure.
let asked = false;
const ready = new Promise((resolve) => { haveModule = resolve; })
  .then((module) => init({ module_or_path: /** @type {WebAssembly.Module} */ (module) }))
  .then(() => {
    if (asked) return;
    try { prepareVision(false, true); } catch { /* see above */ }
  });
ready.catch(() => {}); // awaited per message, which answers ok: false

self.onmessage = async (/** @type {MessageEvent<{module: WebAssembly.Module} | {id: number, rgba: Uint8Array, width: number, height: number}>} */ event) => {
  const data = event.data;
  if ('module' in data) {
    haveModule(data.module);
    return;
  }
  const { id, rgba, width, height } = data;
  asked = true;
  try {
    await ready;
    self.postMessage({ id, ok: true, nudity: detectNudityRgba(rgba, width, height) });
  } catch {
    self.postMessage({ id, ok: false });
  }
};
