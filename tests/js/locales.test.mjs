import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, locales } from './i18n.mjs';

const reference = catalog('en');

test('the extension ships English and French at least', () => {
  for (const required of ['en', 'fr']) assert.ok(locales().includes(required), required);
});

for (const locale of locales()) {
  test(`${locale}: same keys as English, nothing empty, same placeholders`, () => {
    const messages = catalog(locale);
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(reference).sort());
    for (const [key, entry] of Object.entries(messages)) {
      assert.ok(entry.message.trim().length > 0, `${locale}.${key} is empty`);
      const used = [...entry.message.matchAll(/\$(\w+)\$/g)].map((m) => m[1]?.toLowerCase()).sort();
      const wanted = [...(reference[key]?.message ?? '').matchAll(/\$(\w+)\$/g)].map((m) => m[1]?.toLowerCase()).sort();
      assert.deepEqual(used, wanted, `${locale}.${key} placeholders`);
      for (const name of used) assert.ok(entry.placeholders?.[name ?? ''], `${locale}.${key} defines $${name}$`);
    }
    assert.ok(['ltr', 'rtl'].includes(messages.dir?.message ?? ''), 'dir is ltr or rtl');
  });
}
