// The parent's PIN: kept only as a slow salted hash (PBKDF2-HMAC-SHA256, 600 000 iterations, the
// OWASP 2023 figure, via WebCrypto), checked in constant time, with attempts limited by growing
// delays. It deters a child; anyone with access to the browser profile's files can read the hash,
// so it is not a secret against an adult with the computer (see docs/admin-deployment.md).

export const PIN_ITERATIONS = 600_000;
export const PIN_ALGORITHM = 'PBKDF2-SHA256';
/** Free attempts before delays start. */
export const FREE_ATTEMPTS = 3;
/** Longest wait between attempts. */
export const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * @typedef {{algorithm: string, iterations: number, salt: string, hash: string}} PinRecord
 * @typedef {{failures: number, lockedUntil: number}} AttemptState
 */

/** @param {Uint8Array} bytes */
const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
/** @param {string} text */
const unhex = (text) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

/**
 * A PIN is 4 to 12 digits: easy for a parent to type, and the delays make guessing slow.
 * @param {unknown} pin
 * @returns {pin is string}
 */
export function validPin(pin) {
  return typeof pin === 'string' && /^\d{4,12}$/.test(pin);
}

/**
 * @param {string} pin
 * @param {Uint8Array} salt
 * @param {number} iterations
 */
async function derive(pin, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: /** @type {Uint8Array<ArrayBuffer>} */ (salt), iterations }, key, 256);
  return new Uint8Array(bits);
}

/**
 * @param {string} pin
 * @param {{iterations?: number, salt?: Uint8Array}} [options] tests use fewer iterations
 * @returns {Promise<PinRecord>}
 */
export async function hashPin(pin, { iterations = PIN_ITERATIONS, salt = crypto.getRandomValues(new Uint8Array(16)) } = {}) {
  if (!validPin(pin)) throw new Error('a PIN is 4 to 12 digits');
  return { algorithm: PIN_ALGORITHM, iterations, salt: hex(salt), hash: hex(await derive(pin, salt, iterations)) };
}

/**
 * @param {unknown} record
 * @returns {record is PinRecord}
 */
export function isPinRecord(record) {
  const r = /** @type {any} */ (record);
  return Boolean(r) && r.algorithm === PIN_ALGORITHM && Number.isInteger(r.iterations) && r.iterations >= 100_000
    && /^[0-9a-f]{32,128}$/.test(r.salt) && /^[0-9a-f]{64}$/.test(r.hash);
}

/**
 * @param {string} pin
 * @param {PinRecord} record
 */
export async function verifyPin(pin, record) {
  if (!validPin(pin)) return false;
  const got = await derive(pin, unhex(record.salt), record.iterations);
  const want = unhex(record.hash);
  let diff = got.length ^ want.length;
  for (let i = 0; i < got.length; i += 1) diff |= (got[i] ?? 0) ^ (want[i] ?? 0);
  return diff === 0;
}

/**
 * The wait after `failures` failed attempts: none for the first three, then 30 s doubling up to
 * an hour.
 * @param {number} failures
 */
export function delayAfter(failures) {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_DELAY_MS, 30_000 * 2 ** (failures - FREE_ATTEMPTS));
}

/**
 * @param {AttemptState} state
 * @param {number} now
 * @returns {number} ms to wait before the next attempt (0: may try now)
 */
export function waitBeforeAttempt(state, now) {
  return Math.max(0, state.lockedUntil - now);
}

/**
 * @param {AttemptState} state
 * @param {boolean} ok
 * @param {number} now
 * @returns {AttemptState}
 */
export function afterAttempt(state, ok, now) {
  if (ok) return { failures: 0, lockedUntil: 0 };
  const failures = state.failures + 1;
  return { failures, lockedUntil: now + delayAfter(failures) };
}
