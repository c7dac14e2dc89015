import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FREE_ATTEMPTS, MAX_DELAY_MS, PIN_ITERATIONS, afterAttempt, delayAfter, hashPin, isPinRecord, validPin, verifyPin, waitBeforeAttempt } from '../../extension/background/pin.js';

test('a PIN is kept as a salted PBKDF2 hash and checks only itself', async () => {
  const record = await hashPin('4821', { iterations: 100_000 });
  assert.ok(isPinRecord(record));
  assert.equal(JSON.stringify(record).includes('4821'), false, 'the PIN itself is not stored');
  assert.equal(await verifyPin('4821', record), true);
  assert.equal(await verifyPin('4822', record), false);
  assert.equal(await verifyPin('', record), false);
  const again = await hashPin('4821', { iterations: 100_000 });
  assert.notEqual(again.salt, record.salt, 'a new salt each time');
  assert.notEqual(again.hash, record.hash);
  // Against an independent PBKDF2 (node's crypto).
  const { pbkdf2Sync } = await import('node:crypto');
  assert.equal(pbkdf2Sync('4821', Buffer.from(record.salt, 'hex'), 100_000, 32, 'sha256').toString('hex'), record.hash);
});

test('the default cost is 600 000 iterations and weak records are refused', async () => {
  assert.equal(PIN_ITERATIONS, 600_000);
  const record = await hashPin('123456');
  assert.equal(record.iterations, 600_000);
  assert.equal(isPinRecord({ ...record, iterations: 1000 }), false);
  assert.equal(isPinRecord({ ...record, hash: 'zz' }), false);
  await assert.rejects(hashPin('12'), /4 to 12 digits/);
  assert.ok(validPin('0000') && !validPin('abcd') && !validPin('1234567890123'));
});

test('attempts are rate-limited with growing delays, reset by a right PIN', () => {
  assert.equal(delayAfter(FREE_ATTEMPTS - 1), 0);
  assert.equal(delayAfter(FREE_ATTEMPTS), 30_000);
  assert.equal(delayAfter(FREE_ATTEMPTS + 1), 60_000);
  assert.equal(delayAfter(100), MAX_DELAY_MS);
  let state = { failures: 0, lockedUntil: 0 };
  let now = 1_000_000;
  for (let i = 0; i < FREE_ATTEMPTS - 1; i += 1) {
    state = afterAttempt(state, false, now);
    assert.equal(waitBeforeAttempt(state, now), 0, `free attempt ${i + 1}`);
  }
  state = afterAttempt(state, false, now);
  assert.equal(waitBeforeAttempt(state, now), 30_000);
  now += 30_000;
  assert.equal(waitBeforeAttempt(state, now), 0);
  state = afterAttempt(state, false, now);
  assert.equal(waitBeforeAttempt(state, now), 60_000, 'the next wait doubles');
  state = afterAttempt(state, true, now);
  assert.deepEqual(state, { failures: 0, lockedUntil: 0 });
});
