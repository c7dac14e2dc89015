// The managed policy (what a school or a parent's administrator set), read so that a browser start
// neither holds the photo back for seconds nor decides with the wrong settings.
//
// Chromium's managed storage answers only once the browser's policy service has loaded, which
// takes 3-5 s after every start, with or without a policy (measured on Debian Chromium 156: 4.9 s
// on a new profile, 2.9-3.0 s on later starts; Privacy Badger and Ghostery found the same and
// keep a copy too). So the last answer is kept in local storage and, while the browser has not
// answered, that copy applies: the policy as it was at the last start. Only with no copy at all (a
// new install) does the reader wait, and then, past the timeout, the strictest settings apply.
// The copy is rewritten whenever the browser answers, so a changed or removed policy applies
// seconds after a start, and nothing the copy says outlives the browser's own answer.

/** How long to wait for managed storage, with no copy, before deciding it is not there. */
export const MANAGED_TIMEOUT_MS = 3000;
/** With a copy, how long the browser's own answer is given first (it is at once, after start-up). */
export const MANAGED_GRACE_MS = 50;
/** The copy's key in local storage. */
export const POLICY_COPY_KEY = 'managedPolicyCopy';

/**
 * Where a policy came from: the browser ("browser"), the copy of the last start ("last-start"),
 * or nowhere ("none": no answer and no copy, so the strictest settings apply).
 * @typedef {'browser' | 'last-start' | 'none'} PolicySource
 * @typedef {{policy: Record<string, unknown> | null, from: PolicySource}} PolicyAnswer
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A reader of the managed policy over the storage it is given (`chrome.storage` in the
 * extension; fakes in the tests).
 * @param {{
 *   managed: {get(keys: null): Promise<unknown>},
 *   local: {get(key: string): Promise<Record<string, unknown>>, set(items: Record<string, unknown>): Promise<void>},
 *   sleep?: (ms: number) => Promise<void>,
 * }} storage
 */
export function policyReader({ managed, local, sleep = (ms) => new Promise((r) => { setTimeout(r, ms); }) }) {
  /** The browser's answer being waited for, shared by every message meanwhile. @type {Promise<Record<string, unknown>> | null} */
  let pending = null;
  /** The copy as last written by this worker, to write it only when it changes. */
  let written = '';

  /** The browser's own answer; it is copied to local storage. */
  function live() {
    if (pending) return pending;
    const answer = managed.get(null).then(
      (got) => (isPlainObject(got) ? got : {}),
      // Firefox rejects when there is no policy: that is "no policy", not an error.
      () => ({}),
    );
    pending = answer.then(async (policy) => {
      const text = JSON.stringify(policy);
      if (text !== written) {
        // A copy that cannot be written only costs the next start its head start.
        await local.set({ [POLICY_COPY_KEY]: policy }).then(() => { written = text; }, () => {});
      }
      return policy;
    }).finally(() => { pending = null; });
    return pending;
  }

  /** @returns {Promise<Record<string, unknown> | null>} */
  async function copy() {
    try {
      const value = (await local.get(POLICY_COPY_KEY))[POLICY_COPY_KEY];
      return isPlainObject(value) ? value : null;
    } catch {
      return null;
    }
  }

  /**
   * The policy in force: the browser's answer, else the last start's copy, else none.
   * @returns {Promise<PolicyAnswer>}
   */
  async function read() {
    const fromBrowser = live().then((policy) => /** @type {PolicyAnswer} */ ({ policy, from: 'browser' }));
    const kept = await copy();
    /** @type {PolicyAnswer} */
    const fallback = kept ? { policy: kept, from: 'last-start' } : { policy: null, from: 'none' };
    return Promise.race([fromBrowser, sleep(kept ? MANAGED_GRACE_MS : MANAGED_TIMEOUT_MS).then(() => fallback)]);
  }

  return { read, live };
}
