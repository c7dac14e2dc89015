// The fixes that take time — blur the faces, crop them out — on a thread of their own, so the
// warning stays responsive (progress, a Cancel that works) and other tabs' guards, which share
// the extension's main thread, still warn while it works. One worker per fix, ended when the fix
// is done or cancelled: the memory a large photo's pixels took goes with it.
// In: the frame's compiled engine and the jobs; out: progress, then the fixed files' bytes or a
// failure's code. Nothing else.
import init, { blurFaces, cropFaces, strip } from '../pkg/sentinelle.js';

/**
 * @typedef {{fix: 'blur' | 'crop' | 'strip', bytes: Uint8Array}} Job
 * @typedef {{module: WebAssembly.Module, jobs: Job[]}} Request
 */

/** @param {unknown} error */
function codeOf(error) {
  const code = /** @type {{code?: unknown}} */ (error)?.code;
  return typeof code === 'string' ? code : 'engine-failed';
}

/**
 * One job's result. A crop that finds no part to keep (the full-size look may see a face the
 * quick look missed) gets the faces blurred instead: never sent as they are.
 * @param {Job} job
 * @param {(done: number) => void} progress share of this job done
 * @returns {Uint8Array}
 */
function run(job, progress) {
  if (job.fix === 'strip') return strip(job.bytes);
  if (job.fix === 'crop') {
    try {
      return cropFaces(job.bytes);
    } catch (error) {
      if (codeOf(error) !== 'invalid-input') throw error;
    }
  }
  return blurFaces(job.bytes, progress);
}

self.onmessage = async (/** @type {MessageEvent<Request>} */ event) => {
  const { module, jobs } = event.data;
  try {
    await init({ module_or_path: module });
    /** @type {Uint8Array[]} */
    const results = [];
    for (const [i, job] of jobs.entries()) {
      const share = (/** @type {number} */ done) => self.postMessage({ type: 'progress', done: (i + done) / jobs.length });
      results.push(run(job, share));
      share(1);
    }
    // Handed over, not copied (wasm-bindgen gives each its own ArrayBuffer).
    self.postMessage({ type: 'done', results }, { transfer: results.map((r) => /** @type {ArrayBuffer} */ (r.buffer)) });
  } catch (error) {
    self.postMessage({ type: 'failed', code: codeOf(error) });
  }
};
