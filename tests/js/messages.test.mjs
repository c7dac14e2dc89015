import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../extension/shared/messages.js';

const M = /** @type {SentinelleMessagesApi} */ (/** @type {any} */ (globalThis).SentinelleMessages);
const nonce = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('runtime messages: only known types with a well-formed nonce pass', () => {
  assert.deepEqual(M.parseRuntimeMessage({ type: M.Type.GUARD_REGISTER, nonce }), { type: M.Type.GUARD_REGISTER, nonce });
  assert.deepEqual(M.parseRuntimeMessage({ type: M.Type.GUARD_CLAIM, nonce, extra: 1 }), { type: M.Type.GUARD_CLAIM, nonce });
  for (const bad of [null, 'x', [], {}, { type: 'other', nonce }, { type: M.Type.GUARD_CLAIM, nonce: 'short' },
    { type: M.Type.GUARD_CLAIM, nonce: `${nonce}x` }, { type: M.Type.GUARD_CLAIM, nonce: 42 }]) {
    assert.equal(M.parseRuntimeMessage(bad), null, JSON.stringify(bad));
  }
});

test('guard init needs the init type and a nonce', () => {
  assert.deepEqual(M.parseGuardInit({ type: M.Type.GUARD_INIT, nonce }), { nonce, relay: null });
  assert.deepEqual(M.parseGuardInit({ type: M.Type.GUARD_INIT, nonce, relay: nonce }), { nonce, relay: nonce }, 'a top guard for a frame');
  assert.equal(M.parseGuardInit({ type: M.Type.GUARD_INIT, nonce, relay: 'sentinelle' })?.relay, null, 'a relay is a channel name of ours');
  assert.equal(M.parseGuardInit({ type: M.Type.GUARD_INIT }), null);
  assert.equal(M.parseGuardInit({ type: M.Type.ANALYZE, nonce }), null);
});

test('guard replies: decisions must be known and carry real files', () => {
  const file = new File([new Uint8Array([1, 2])], 'a.jpg', { type: 'image/jpeg' });
  assert.deepEqual(M.parseGuardReply({ type: M.Type.SHOW }), { type: 'show', here: false });
  assert.deepEqual(M.parseGuardReply({ type: M.Type.SHOW, here: true }), { type: 'show', here: true });
  assert.deepEqual(M.parseGuardReply({ type: M.Type.WORKING }), { type: 'working' });
  assert.deepEqual(M.parseGuardReply({ type: M.Type.DECISION, decision: 'clean', files: [file] }),
    { type: 'decision', decision: 'clean', files: [file], copied: false });
  assert.deepEqual(M.parseGuardReply({ type: M.Type.DECISION, decision: 'clean', files: [file], copied: true }),
    { type: 'decision', decision: 'clean', files: [file], copied: true });
  assert.equal(/** @type {any} */ (M.parseGuardReply({ type: M.Type.DECISION, decision: 'clean', files: [file], copied: 'yes' }))?.copied, false, 'only true is true');
  assert.deepEqual(M.parseGuardReply({ type: M.Type.DECISION, decision: 'cancel' }), { type: 'decision', decision: 'cancel', files: [], copied: false });
  assert.equal(M.parseGuardReply({ type: M.Type.DECISION, decision: 'approve-everything', files: [] }), null);
  assert.equal(M.parseGuardReply({ type: M.Type.DECISION, decision: 'clean', files: [{ name: 'fake.jpg' }] }), null);
  assert.deepEqual(M.parseGuardReply({ type: M.Type.FAILURE, code: 'engine-failed' }), { type: 'failure', code: 'engine-failed' });
  assert.equal(M.parseGuardReply({ type: M.Type.FAILURE }), null);
});

test('analyze requests need at least one real file', () => {
  const file = new File(['x'], 'a.jpg');
  assert.deepEqual(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file] }), { files: [file], folder: false, host: '', clipboard: false, chosenAt: null, relay: null });
  assert.deepEqual(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file], folder: true, host: 'Site.Example', clipboard: true, chosenAt: 1.7e12 }), { files: [file], folder: true, host: 'site.example', clipboard: true, chosenAt: 1.7e12, relay: null });
  assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file], relay: nonce })?.relay, nonce);
  assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file], relay: 'top' })?.relay, null);
  for (const chosenAt of ['1700000000000', Infinity, NaN, null]) {
    assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file], chosenAt })?.chosenAt, null, `${chosenAt} is no time`);
  }
  assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [file], host: 'x'.repeat(300) })?.host, '', 'an overlong host is dropped');
  assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: [] }), null);
  assert.equal(M.parseAnalyzeRequest({ type: M.Type.ANALYZE, files: ['a.jpg'] }), null);
});

test('host messages: a request or an order for a relay channel, nothing else', () => {
  assert.deepEqual(M.parseHostMessage({ type: M.Type.HOST_REQUEST, channel: nonce }), { type: 'host-request', channel: nonce });
  assert.deepEqual(M.parseHostMessage({ type: M.Type.HOST_GUARD, channel: nonce }), { type: 'host-guard', channel: nonce });
  for (const bad of [null, { type: M.Type.HOST_REQUEST }, { type: M.Type.HOST_REQUEST, channel: 'x' }, { type: M.Type.GUARD_CLAIM, channel: nonce }]) {
    assert.equal(M.parseHostMessage(bad), null, JSON.stringify(bad));
  }
  assert.equal(M.isAlive({ type: M.Type.ALIVE }), true);
  assert.equal(M.isAlive({ type: M.Type.SHOW }), false);
});

test('settings and PIN messages: only known shapes, PINs are at most 12 digits', () => {
  assert.deepEqual(M.parseSettingsMessage({ type: M.Type.SETTINGS_GET }), { type: 'settings-get' });
  assert.deepEqual(M.parseSettingsMessage({ type: M.Type.PIN_CHECK, pin: '2468' }), { type: 'pin-check', pin: '2468' });
  assert.equal(M.parseSettingsMessage({ type: M.Type.PIN_CHECK, pin: '24a8' }), null);
  assert.equal(M.parseSettingsMessage({ type: M.Type.PIN_CHECK, pin: '1'.repeat(13) }), null);
  assert.deepEqual(M.parseSettingsMessage({ type: M.Type.PIN_SET, pin: '1234' }), { type: 'pin-set', pin: '1234', currentPin: '' });
  assert.deepEqual(M.parseSettingsMessage({ type: M.Type.SETTINGS_SET, settings: { profile: 'teen' } }), { type: 'settings-set', settings: { profile: 'teen' }, pin: '' });
  assert.equal(M.parseSettingsMessage({ type: M.Type.SETTINGS_SET, settings: 'teen' }), null);
  assert.equal(M.parseSettingsMessage({ type: 'sentinelle/other' }), null);
  assert.equal(M.parseSettingsMessage(null), null);
});

test('the covered notice and the guard-failed question are known shapes', () => {
  assert.equal(M.isCoveredNotice({ type: M.Type.COVERED }), true);
  for (const other of [null, {}, { type: M.Type.SHOW }, 'sentinelle/covered']) assert.equal(M.isCoveredNotice(other), false);
  assert.deepEqual(M.parseSettingsMessage({ type: M.Type.GUARD_FAILED }), { type: 'guard-failed' });
});
