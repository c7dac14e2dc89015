// The managed policy (what a school or a parent's administrator set), read so that a browser start
// neither holds the photo back for seconds nor decides with the wrong settings.
//
// Chromium's managed storage answers only once the browser's policy service has loaded, which
// takes 3-5 s after every start, with or without a policy (measured on Debian Chromium 156: 4.9 s
// on some starts, 2.9-3.0 s on most; Privacy Badger and Ghostery found the same and keep a copy
// too). So the browser's answers are copied to local storage (by the background only) and, while
// the browser has not answered, the newest known answer applies: this worker's last one, else the
// copy of the last start. Only with neither (a new install) does the reader wait, and then, past
// the timeout, the strictest settings apply. A copy that cannot be rewritten is removed, so a
// start never trusts an answer older than the last one the browser gave.
/** How long to wait for managed storage, with no answer known, before deciding it is not there. */
export const MANAGED_TIMEOUT_MS = 3000;
/** With an answer known, how long the browser's new one is given first (it is at once, after start-up). */
export const MANAGED_GRACE_MS = 50;
/** The copy's key in local storage. */
export const POLICY_COPY_KEY = 'managedPolicyCopy';

/**
 * Where a policy came from: the browser ("browser": its answer now, or its last one in this
 * context when it is slow to answer again), the copy of the last start ("last-start"), or nowhere
 * ("none": no answer and no copy, so the strictest settings apply).
 * @typedef {'browser' | 'last-start' | 'none'} PolicySource
 * @typedef {{policy: Record<string, unknown> | null, from: PolicySource}} PolicyAnswer
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Firefox's refusal when no policy is installed: that is "no policy", not an error. */
const NO_POLICY_RE = /manifest not found/i;

/**
 * A reader of the managed policy over the storage it is given (`chrome.storage` in the
 * extension; fakes in the tests).
 * @param {{
 *   managed: {get(keys: null): Promise<unknown>},
 *   local: {
 *     get(key: string): Promise<Record<string, unknown>>,
 *     set(items: Record<string, unknown>): Promise<void>,
 *     remove(key: string): Promise<void>,
 *   },
 *   sleep?: (ms: number) => Promise<void>,
 *   keepCopy?: boolean,
 * }} storage keepCopy: this context writes the copy (the background; other pages only read it,
 *   so that two writers cannot put an older answer over a newer one)
 */
export function policyReader({ managed, local, sleep = (ms) => new Promise((r) => { setTimeout(r, ms); }), keepCopy = true }) {
  /** The browser's answer being waited for, shared by every read meanwhile. @type {Promise<Record<string, unknown>> | null} */
  let pending = null;
  /** The browser's last answer in this context: newer than any copy. @type {Record<string, unknown> | null} */
  let lastAnswer = null;
  /** What the copy holds, as far as this context knows (JSON), to write it only when it changes. @type {string | null} */
  let written = null;

  /** @param {Record<string, unknown>} policy */
  async function keep(policy) {
    const text = JSON.stringify(policy);
    if (text === written) return;
    try {
      await local.set({ [POLICY_COPY_KEY]: policy });
      written = text;
    } catch {
      // An old copy must not outlive this answer: without a copy, the next start is strict.
      written = null;
      await local.remove(POLICY_COPY_KEY).catch(() => {});
    }
  }

  /** The browser's own answer; the background copies it to local storage. */
  function live() {
    if (pending) return pending;
    pending = managed.get(null).then(
      async (got) => {
        const policy = isPlainObject(got) ? got : {};
        lastAnswer = policy;
        if (keepCopy) await keep(policy);
        return policy;
      },
      async (/** @type {unknown} */ error) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!NO_POLICY_RE.test(message)) {
          // Something went wrong in the browser: no policy for this read (as before the copy
          // existed), but neither remembered nor copied, so it cannot wipe a policy's copy.
          return {};
        }
        lastAnswer = {};
        if (keepCopy) await keep({});
        return {};
      },
    ).finally(() => { pending = null; });
    return pending;
  }

  /** @returns {Promise<Record<string, unknown> | null>} */
  async function copy() {
    try {
      const value = (await local.get(POLICY_COPY_KEY))[POLICY_COPY_KEY];
      if (!isPlainObject(value)) return null;
      written ??= JSON.stringify(value);
      return value;
    } catch {
      return null;
    }
  }

  /**
   * The policy in force: the browser's answer, else its last one here or the last start's copy,
   * else none.
   * @returns {Promise<PolicyAnswer>}
   */
  async function read() {
    const fromBrowser = live().then((policy) => /** @type {PolicyAnswer} */ ({ policy, from: 'browser' }));
    /** @type {PolicyAnswer | null} */
    const known = lastAnswer ? { policy: lastAnswer, from: 'browser' } : await copy().then((kept) => (kept ? { policy: kept, from: 'last-start' } : null));
    return Promise.race([
      fromBrowser,
      sleep(known ? MANAGED_GRACE_MS : MANAGED_TIMEOUT_MS).then(() => known ?? { policy: null, from: /** @type {const} */ ('none') }),
    ]);
  }

  return { read, live };
}
