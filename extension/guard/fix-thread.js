// Runs the person's chosen fixes in a worker of their own (fix-worker.js) and lets them be
// cancelled: ending the worker stops the engine wherever it is. Used by the guard frame.

/** @typedef {import('./fix-worker.js').Job} Job */

/**
 * A fix under way: `result` gives the fixed bytes of each job, in order, or fails with an error
 * whose `code` the engine gave ('cancelled' after cancel(), 'worker-failed' when the thread
 * itself could not run).
 * @typedef {{result: Promise<Uint8Array[]>, cancel: () => void}} FixRun
 */

/**
 * @param {Promise<WebAssembly.Module>} engine the frame's compiled engine (instantiated again there)
 * @param {Job[]} jobs
 * @param {(done: number) => void} onProgress share of all the jobs done, 0 to 1
 * @returns {FixRun}
 */
export function runFixes(engine, jobs, onProgress) {
  /** @type {Worker | null} */
  let worker = null;
  /** @type {(error: Error & {code?: string}) => void} */
  let fail = () => {};
  let over = false;
  /** @param {string} code */
  const failure = (code) => Object.assign(new Error(`fix failed: ${code}`), { code });
  /** @type {Promise<Uint8Array[]>} */
  const result = new Promise((resolve, reject) => {
    fail = (error) => {
      if (over) return;
      over = true;
      worker?.terminate();
      reject(error);
    };
    engine.then((module) => {
      if (over) return;
      try {
        worker = new Worker(new URL('./fix-worker.js', import.meta.url), { type: 'module' });
      } catch {
        fail(failure('worker-failed'));
        return;
      }
      worker.onmessage = (event) => {
        const data = event.data;
        if (data?.type === 'progress' && typeof data.done === 'number') onProgress(Math.min(1, Math.max(0, data.done)));
        else if (data?.type === 'done' && Array.isArray(data.results) && data.results.length === jobs.length) {
          over = true;
          worker?.terminate();
          resolve(data.results);
        } else if (data?.type === 'failed') fail(failure(String(data.code)));
        else fail(failure('worker-failed'));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        fail(failure('worker-failed'));
      };
      worker.onmessageerror = () => fail(failure('worker-failed'));
      // The photos are copied over: the frame keeps its own, in case the worker fails.
      try {
        worker.postMessage({ module, jobs });
      } catch {
        fail(failure('worker-failed'));
      }
    }, () => fail(failure('engine-failed')));
  });
  return { result, cancel: () => fail(failure('cancelled')) };
}
