import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GECKO_ID, manifestFor } from '../../scripts/build-extension.mjs';

const EXT = fileURLToPath(new URL('../../extension/', import.meta.url));
const base = JSON.parse(readFileSync(join(EXT, 'manifest.json'), 'utf8'));

for (const browser of ['chromium', 'firefox']) {
  test(`${browser} manifest: MV3, wasm allowed in extension pages only, only the permissions reporting needs`, () => {
    const m = manifestFor(browser, base);
    assert.equal(m.manifest_version, 3);
    assert.match(m.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(m.content_security_policy.extension_pages, /https?:|'unsafe-eval'/);
    // contextMenus: "Report to a helpline" on a page, image or link; storage: the device key that
    // signs evidence; pageCapture (Chromium only): the page copy (MHTML).
    assert.deepEqual(m.permissions, browser === 'chromium' ? ['contextMenus', 'storage', 'pageCapture'] : ['contextMenus', 'storage']);
    // <all_urls> is what the content scripts already match (the same install warning); the
    // report page needs it to take the screenshot and read the image the person right-clicked.
    assert.deepEqual(m.host_permissions, ['<all_urls>']);
    assert.deepEqual(m.content_scripts[0].matches, ['<all_urls>']);
    assert.equal(m.action.default_title, '__MSG_actionTitle__');
    assert.equal(m.content_security_policy.extension_pages.includes('connect-src'), false);
    const [cs, hook] = m.content_scripts;
    assert.equal(cs.run_at, 'document_start');
    assert.equal(cs.all_frames, true);
    assert.deepEqual(cs.js, ['shared/messages.js', 'content/interceptor.js'], 'protocol loads before the interceptor');
    assert.equal(hook.world, 'MAIN');
    assert.deepEqual(hook.js, ['content/main-hook.js'], 'the MAIN world gets the hook and nothing else');
    assert.equal(hook.run_at, 'document_start');
    for (const file of [...cs.js, ...hook.js, ...(m.background.scripts ?? [m.background.service_worker])]) {
      assert.ok(existsSync(join(EXT, file)), `${file} exists`);
    }
  });
}

test('per-browser differences: service worker for Chromium, event page and gecko id for Firefox', () => {
  const c = manifestFor('chromium', base);
  const f = manifestFor('firefox', base);
  assert.equal(c.background.service_worker, 'background/background.js');
  assert.equal(c.browser_specific_settings, undefined);
  assert.deepEqual(f.background.scripts, ['background/background.js']);
  assert.equal(f.browser_specific_settings.gecko.id, GECKO_ID);
  assert.deepEqual(f.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] });
});
