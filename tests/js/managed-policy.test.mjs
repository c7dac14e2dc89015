// The managed policy reader: a browser whose policy service is still loading (3-5 s after every
// Chromium start) gets the last start's copy at once; a new install waits, then gets none (the
// strictest settings); whatever the browser answers replaces the copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANAGED_GRACE_MS, MANAGED_TIMEOUT_MS, POLICY_COPY_KEY, policyReader } from '../../extension/shared/managed-policy.js';

/** A promise settled by hand. */
function deferred() {
  /** @type {(value: any) => void} */
  let resolve = () => {};
  /** @type {(error: unknown) => void} */
  let reject = () => {};
  /** @type {Promise<any>} */
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/**
 * Fake storage: managed storage answers when the test says so; timers fire when the test says so.
 * @param {Record<string, unknown>} [initialLocal]
 * @param {{keepCopy?: boolean}} [options]
 */
function fakeBrowser(initialLocal = {}, { keepCopy = true } = {}) {
  /** @type {ReturnType<typeof deferred>[]} */
  const managedCalls = [];
  /** @type {{ms: number, fire: () => void}[]} */
  const timers = [];
  /** @type {Record<string, unknown>} */
  const local = structuredClone(initialLocal);
  let writes = 0;
  let failWrites = false;
  let failReads = false;
  const reader = policyReader({
    managed: { get: () => { const d = deferred(); managedCalls.push(d); return d.promise; } },
    local: {
      get: async (key) => {
        if (failReads) throw new Error('IO error');
        return key in local ? { [key]: structuredClone(local[key]) } : {};
      },
      set: async (items) => {
        if (failWrites) throw new Error('QUOTA_BYTES quota exceeded');
        writes += 1;
        Object.assign(local, structuredClone(items));
      },
      remove: async (key) => { delete local[key]; },
    },
    sleep: (ms) => new Promise((resolve) => { timers.push({ ms, fire: () => resolve(undefined) }); }),
    keepCopy,
  });
  return {
    reader, managedCalls, timers, local,
    get writes() { return writes; },
    /** @param {boolean} fail */
    failWrites(fail) { failWrites = fail; },
    /** @param {boolean} fail */
    failReads(fail) { failReads = fail; },
  };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => { setImmediate(resolve); });

test('the browser answering at once is what applies, and it is copied for the next start', async () => {
  const b = fakeBrowser();
  const answer = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ rules: { location: 'block' } });
  assert.deepEqual(await answer, { policy: { rules: { location: 'block' } }, from: 'browser' });
  assert.deepEqual(b.local[POLICY_COPY_KEY], { rules: { location: 'block' } });
});

test('while the browser loads its policies, the last start\'s copy applies after a short grace', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { profile: 'child' } });
  const first = b.reader.read();
  await settle();
  assert.deepEqual(b.timers.map((t) => t.ms), [MANAGED_GRACE_MS], 'a short grace, not the full timeout');
  b.timers[0]?.fire();
  assert.deepEqual(await first, { policy: { profile: 'child' }, from: 'last-start' });

  // The browser then answers that the policy is gone: the copy says so too, and later reads agree.
  b.managedCalls[0]?.resolve({});
  await settle();
  assert.deepEqual(b.local[POLICY_COPY_KEY], {});
  const next = b.reader.read();
  await settle();
  b.managedCalls[1]?.resolve({});
  assert.deepEqual(await next, { policy: {}, from: 'browser' });
});

test('a new install (no copy) waits for the browser up to the timeout, then knows no policy', async () => {
  const b = fakeBrowser();
  const answer = b.reader.read();
  await settle();
  assert.deepEqual(b.timers.map((t) => t.ms), [MANAGED_TIMEOUT_MS]);
  b.timers[0]?.fire();
  assert.deepEqual(await answer, { policy: null, from: 'none' });

  // Its answer arriving later is still copied, for the uploads that follow.
  b.managedCalls[0]?.resolve({ showCounts: true });
  await settle();
  assert.deepEqual(b.local[POLICY_COPY_KEY], { showCounts: true });
});

test('a new install whose browser answers within the timeout gets that answer', async () => {
  const b = fakeBrowser();
  const answer = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ showCounts: false });
  assert.deepEqual(await answer, { policy: { showCounts: false }, from: 'browser' });
});

test('Firefox\'s refusal without a policy, or an answer that is not an object, is "no policy"', async () => {
  for (const answer of [new Error('Managed storage manifest not found'), 'Managed storage manifest not found', null, ['x'], 'policy']) {
    const b = fakeBrowser({ [POLICY_COPY_KEY]: { profile: 'teen' } });
    const read = b.reader.read();
    await settle();
    if (answer instanceof Error || answer === 'Managed storage manifest not found') b.managedCalls[0]?.reject(answer);
    else b.managedCalls[0]?.resolve(answer);
    assert.deepEqual(await read, { policy: {}, from: 'browser' }, String(answer));
    assert.deepEqual(b.local[POLICY_COPY_KEY], {}, 'the old copy is replaced');
  }
});

test('a copy that is not an object is no copy', async () => {
  for (const copy of [['profile'], 'child', 42, null]) {
    const b = fakeBrowser({ [POLICY_COPY_KEY]: copy });
    const read = b.reader.read();
    await settle();
    assert.deepEqual(b.timers.map((t) => t.ms), [MANAGED_TIMEOUT_MS], JSON.stringify(copy));
    b.timers[0]?.fire();
    assert.deepEqual(await read, { policy: null, from: 'none' });
  }
});

test('reads while the browser is loading share one question, and an answer is written only when it changes', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { showCounts: true } });
  const reads = [b.reader.read(), b.reader.read(), b.reader.read()];
  await settle();
  assert.equal(b.managedCalls.length, 1);
  b.managedCalls[0]?.resolve({ showCounts: true });
  for (const read of reads) assert.equal((await read).from, 'browser');
  assert.equal(b.writes, 0, 'the copy already holds this answer');
  const again = b.reader.read();
  await settle();
  assert.equal(b.managedCalls.length, 2, 'a new read asks the browser again (a policy can change)');
  b.managedCalls[1]?.resolve({ showCounts: false });
  await again;
  assert.equal(b.writes, 1, 'a changed answer is');
  const third = b.reader.read();
  await settle();
  b.managedCalls[2]?.resolve({ showCounts: false });
  await third;
  assert.equal(b.writes, 1, 'and not again while it stays the same');
});

test('any other failure of managed storage: no policy for that read, but the copy is kept', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { profile: 'teen' } });
  const read = b.reader.read();
  await settle();
  b.managedCalls[0]?.reject(new Error('Internal error'));
  assert.deepEqual(await read, { policy: {}, from: 'browser' });
  assert.deepEqual(b.local[POLICY_COPY_KEY], { profile: 'teen' }, 'an error does not wipe a policy\'s copy');
  const slow = b.reader.read();
  await settle();
  b.timers.at(-1)?.fire();
  assert.deepEqual(await slow, { policy: { profile: 'teen' }, from: 'last-start' }, 'nor is it remembered as an answer');
});

test('when the browser is slow to answer again, its last answer here beats an older copy', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { profile: 'child' } });
  const first = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ profile: 'teen' });
  assert.deepEqual(await first, { policy: { profile: 'teen' }, from: 'browser' });
  b.local[POLICY_COPY_KEY] = { profile: 'child' }; // another context's late write of an older answer
  const slow = b.reader.read();
  await settle();
  assert.equal(b.timers.at(-1)?.ms, MANAGED_GRACE_MS);
  b.timers.at(-1)?.fire();
  assert.deepEqual(await slow, { policy: { profile: 'teen' }, from: 'browser' });
});

test('a copy that cannot be replaced is removed: the next start is strict rather than stale', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { rules: { location: 'block' } } });
  b.failWrites(true);
  const read = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ rules: { location: 'inform' } });
  assert.deepEqual(await read, { policy: { rules: { location: 'inform' } }, from: 'browser' });
  assert.equal(POLICY_COPY_KEY in b.local, false);
  const nextStart = fakeBrowser(b.local);
  const strict = nextStart.reader.read();
  await settle();
  nextStart.timers[0]?.fire();
  assert.deepEqual(await strict, { policy: null, from: 'none' });
});

test('a page that only reads (keepCopy false) never writes the copy', async () => {
  const b = fakeBrowser({ [POLICY_COPY_KEY]: { showCounts: true } }, { keepCopy: false });
  const read = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ showCounts: false });
  assert.deepEqual(await read, { policy: { showCounts: false }, from: 'browser' });
  assert.equal(b.writes, 0);
  assert.deepEqual(b.local[POLICY_COPY_KEY], { showCounts: true });
});

test('a copy that cannot be read is no copy; an unchanged answer is not written over the copy', async () => {
  const unreadable = fakeBrowser({ [POLICY_COPY_KEY]: { showCounts: true } });
  unreadable.failReads(true);
  const read = unreadable.reader.read();
  await settle();
  assert.deepEqual(unreadable.timers.map((t) => t.ms), [MANAGED_TIMEOUT_MS]);
  unreadable.timers[0]?.fire();
  assert.deepEqual(await read, { policy: null, from: 'none' });

  const same = fakeBrowser({ [POLICY_COPY_KEY]: { showCounts: true } });
  const again = same.reader.read();
  await settle();
  same.managedCalls[0]?.resolve({ showCounts: true });
  await again;
  assert.equal(same.writes, 0);
});

test('a copy that cannot be written does not stop the answer, and is tried again next time', async () => {
  const b = fakeBrowser();
  b.failWrites(true);
  const read = b.reader.read();
  await settle();
  b.managedCalls[0]?.resolve({ showCounts: true });
  assert.deepEqual(await read, { policy: { showCounts: true }, from: 'browser' });
  assert.equal(POLICY_COPY_KEY in b.local, false);
  b.failWrites(false);
  const next = b.reader.read();
  await settle();
  b.managedCalls[1]?.resolve({ showCounts: true });
  await next;
  assert.deepEqual(b.local[POLICY_COPY_KEY], { showCounts: true });
});
