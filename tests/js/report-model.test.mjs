import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INTAKE_FORMAT, RECEIPT_FILE_FORMAT, SITUATIONS, SITUATION_KEYS, bundleFileName, evidencePlan, evidenceTarget, guessCountry, intakePayload,
  prefillUrl, receiptFile, receiptFileName, summaryText, utcSeconds,
} from '../../extension/report/report-model.js';
import { catalog } from './i18n.mjs';

const known = ['BE', 'DE', 'ES', 'FR', 'GB', 'IT', 'KR', 'NL', 'US'];

test('the country is guessed from the region first, then from a bare language', () => {
  assert.equal(guessCountry(['fr-BE', 'fr'], known), 'BE');
  assert.equal(guessCountry(['en-GB'], known), 'GB');
  assert.equal(guessCountry(['ko'], known), 'KR');
  assert.equal(guessCountry(['en'], known), '', 'English alone says nothing about the country');
  assert.equal(guessCountry(['pt-BR'], known), '');
  assert.equal(guessCountry(['de-CH', 'de'], known), 'DE', 'an unknown region falls back to the language');
});

test('times and file names are UTC to the second', () => {
  assert.equal(utcSeconds(new Date(Date.UTC(2026, 10, 23, 14, 5, 9, 678))), '2026-11-23T14:05:09Z');
  assert.equal(bundleFileName('2026-11-23T14:05:09Z'), 'sentinelle-evidence-2026-11-23T14-05-09Z.zip');
});

const facts = {
  page: { url: 'https://host.example/p', title: 'A page' },
  capturedAt: '2026-11-23T14:05:09Z',
  situation: 'own-image',
  minor: false,
  country: 'FR',
  images: [{ url: 'https://cdn.example/i.jpg', md5: 'a'.repeat(32), sha256: 'b'.repeat(64), pdq: 'c'.repeat(64), pdq_quality: 90 }],
  bundle: { fileName: 'sentinelle-evidence-x.zip', manifestSha256: 'd'.repeat(64), fingerprint: 'abcd 1234', publicKey: 'KEY' },
};

/** A `t` over a real catalog, with chrome.i18n's placeholder rules. @param {string} locale */
function translator(locale) {
  const messages = catalog(locale);
  return (/** @type {string} */ key, /** @type {string[]} */ subs = []) => {
    const entry = messages[key];
    if (!entry) throw new Error(`no ${key}`);
    return entry.message.replace(/\$(\w+)\$/g, (_, name) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
      return content.replace(/\$(\d)/g, (/** @type {string} */ __, /** @type {string} */ n) => subs[Number(n) - 1] ?? '');
    });
  };
}

test('the summary holds what a case worker asks for, in the person\'s language', () => {
  for (const locale of ['en', 'fr', 'ko']) {
    const text = summaryText(facts, translator(locale));
    for (const must of [facts.page.url, facts.capturedAt, 'A page', 'https://cdn.example/i.jpg', `SHA-256 ${'b'.repeat(64)}`, `PDQ ${'c'.repeat(64)}`, 'abcd 1234']) {
      assert.ok(text.includes(must), `${locale}: ${must}`);
    }
  }
  assert.match(summaryText(facts, translator('fr')), /Ce qui s'est passé : Une image sexuelle/);
});

test('every situation has a label in every locale', () => {
  assert.deepEqual(Object.keys(SITUATION_KEYS), [...SITUATIONS]);
  for (const locale of ['en', 'fr', 'nl', 'de', 'ko', 'es', 'it']) {
    const t = translator(locale);
    for (const key of Object.values(SITUATION_KEYS)) assert.ok(t(key).length > 3, `${locale} ${key}`);
  }
});

test('the intake payload carries addresses and hashes, never file contents', () => {
  const payload = intakePayload({ ...facts, helplineId: 'x', language: 'fr', version: '0.1.0' });
  assert.equal(payload.format, INTAKE_FORMAT);
  assert.equal(payload.page.url, facts.page.url);
  assert.equal(payload.evidence?.manifest_sha256, 'd'.repeat(64));
  assert.deepEqual(Object.keys(payload.images[0] ?? {}).sort(), ['md5', 'pdq', 'pdq_quality', 'sha256', 'url']);
  const withoutBundle = intakePayload({ ...facts, bundle: null, country: '', helplineId: 'x', language: 'en', version: '1' });
  assert.equal(withoutBundle.evidence, null);
  assert.equal(withoutBundle.country, null);
  // Extra properties a caller might pass (bytes, say) do not travel.
  const sneaky = intakePayload({ ...facts, helplineId: 'x', language: 'en', version: '1', images: [/** @type {any} */ ({ ...facts.images[0], bytes: 'AAAA' })] });
  assert.equal(JSON.stringify(sneaky).includes('AAAA'), false);
});

test('prefilled form addresses encode each value', () => {
  const url = prefillUrl('https://form.example/r?u={url}&t={time}&s={situation}&x={unknown}', {
    url: 'https://host.example/a?b=c&d=e', time: '2026-11-23T14:05:09Z', situation: 'own-image',
  });
  assert.equal(url, 'https://form.example/r?u=https%3A%2F%2Fhost.example%2Fa%3Fb%3Dc%26d%3De&t=2026-11-23T14%3A05%3A09Z&s=own-image&x={unknown}');
});

test('the route\'s evidence policy beats the boxes the person ticked', () => {
  const all = { screenshot: true, archive: true, hashes: true };
  const ctx = { archiveAvailable: true, hasImage: true };
  const childAbuse = { screenshot: false, archive: false, image_hashes: true };
  assert.deepEqual(evidencePlan(childAbuse, all, ctx), { screenshot: false, archive: false, hashes: true });
  const open = { screenshot: true, archive: true, image_hashes: true };
  assert.deepEqual(evidencePlan(open, all, { archiveAvailable: false, hasImage: false }), { screenshot: true, archive: false, hashes: false });
  assert.deepEqual(evidencePlan(open, { screenshot: false, archive: true, hashes: false }, ctx), { screenshot: false, archive: true, hashes: false });
});

test('the receipt file keeps the exact text sent, where it went, and the receipt', () => {
  const sent = '{"format":"sentinelle-report-1"}';
  const receipt = { format: 'sentinelle-receipt-1', report_id: 'abc' };
  assert.deepEqual(receiptFile('https://intake.example/v1/reports', sent, receipt),
    { format: RECEIPT_FILE_FORMAT, intake: 'https://intake.example/v1/reports', report: sent, receipt });
  assert.equal(receiptFileName('0123abcd'), 'sentinelle-receipt-0123abcd.json');
  assert.equal(receiptFileName('../../x/y'), 'sentinelle-receipt-xy.json');
});

test('the evidence file goes only to the intake that took the report', () => {
  const intake = 'https://intake.example/v1/reports';
  assert.equal(evidenceTarget(intake, '/v1/reports/r1/evidence'), 'https://intake.example/v1/reports/r1/evidence');
  assert.equal(evidenceTarget(intake, 'https://intake.example/v1/reports/r1/evidence'), 'https://intake.example/v1/reports/r1/evidence');
  for (const elsewhere of ['https://evil.example/collect', '//evil.example/x', 'http://intake.example/v1/x', 'https://intake.example:8443/x', 'javascript:alert(1)', '', null, 42]) {
    assert.equal(evidenceTarget(intake, elsewhere), null, String(elsewhere));
  }
});
