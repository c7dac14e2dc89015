// Shared pieces of the end-to-end tests and of `make run`: fixtures, browsers with the extension
// loaded, and readers for what the person saw and what the site received.
import { GECKO_ID } from '../../scripts/build-extension.mjs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const CORPUS = join(ROOT, '..', 'shared', 'corpus');

/** Flags for Debian's Chromium on a closed network (see shared/research/browser.md §3.2). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps',
];

/** Where the fixture photo was "taken": the Eiffel Tower. */
export const FIXTURE_PLACE = { latitude: 48.858370, longitude: 2.294481 };

/**
 * @typedef {{withGps: string, noRisk: string, portrait: string, pngWithGps: string, webpWithGps: string, gifWithGps: string, face: string, facePng: string, faceAbove: string, bigSelfies: string[], dir: string}} Fixtures
 */

/**
 * Makes the test photos: a real JPEG encoded by Chromium (a screenshot of a gradient scene), then
 * tagged by exiftool the way a phone tags it (GPS, make, model, serial, owner, dates, software,
 * orientation). The untagged screenshot is the "no risk" photo.
 * @param {typeof import('playwright-core').chromium} chromium
 * @returns {Promise<Fixtures>}
 */
export async function makeFixtures(chromium) {
  const dir = mkdtempSync(join(tmpdir(), 'sentinelle-fixtures-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 640, height: 480 } });
    await page.setContent(`<body style="margin:0;height:480px;background:
      linear-gradient(135deg,#0ea5e9,#f97316 60%,#22c55e);font:64px sans-serif;color:#fff">
      <p style="margin:0;padding:40px">Sentinelle ✓ 48°N</p></body>`);
    const noRisk = join(dir, 'no-risk.jpg');
    writeFileSync(noRisk, await page.screenshot({ type: 'jpeg', quality: 90 }));
    const withGps = join(dir, 'phone-photo.jpg');
    exiftool([
      '-GPSLatitude=48.858370', '-GPSLatitudeRef=N', '-GPSLongitude=2.294481', '-GPSLongitudeRef=E',
      '-GPSAltitude=35', '-GPSAltitudeRef=0', '-Make=Apple', '-Model=iPhone 13',
      '-SerialNumber=F17ZX123ABCD', '-OwnerName=Camille Martin', '-Artist=Camille Martin',
      '-DateTimeOriginal=2026:06:21 18:30:05', '-Software=17.5.1', '-Orientation#=1',
      '-o', withGps, noRisk,
    ]);
    const portrait = join(dir, 'portrait-photo.jpg');
    exiftool(['-GPSLatitude=50.846557', '-GPSLatitudeRef=N', '-GPSLongitude=4.351697', '-GPSLongitudeRef=E',
      '-Make=samsung', '-Model=SM-G991B', '-Orientation#=6', '-o', portrait, noRisk]);
    // A screenshot-style PNG, tagged as phones and editors tag them (EXIF in eXIf, XMP text).
    const plainPng = join(dir, 'plain.png');
    writeFileSync(plainPng, await page.screenshot({ type: 'png' }));
    const pngWithGps = join(dir, 'screenshot.png');
    exiftool(['-GPSLatitude=37.566535', '-GPSLatitudeRef=N', '-GPSLongitude=126.977969', '-GPSLongitudeRef=E',
      '-Make=Google', '-Model=Pixel 8', '-XMP-dc:Creator=Min-ji Kim', '-o', pngWithGps, plainPng]);
    // A WebP as the browser's own encoder makes it, then tagged (EXIF chunk, VP8X flags).
    const plainWebp = join(dir, 'plain.webp');
    const webp64 = await page.evaluate(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
      const g = ctx.createLinearGradient(0, 0, 320, 240);
      g.addColorStop(0, '#22c55e');
      g.addColorStop(1, '#1d4ed8');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, 320, 240);
      return canvas.toDataURL('image/webp', 0.9).split(',')[1] ?? '';
    });
    writeFileSync(plainWebp, Buffer.from(webp64, 'base64'));
    // Debian's exiftool cannot write WebP: it writes the EXIF block, and it goes in as a chunk.
    const exifBlock = join(dir, 'tags.exif');
    exiftool(['-GPSLatitude=41.385064', '-GPSLatitudeRef=N', '-GPSLongitude=2.173404', '-GPSLongitudeRef=E',
      '-Make=samsung', '-Artist=Lucía', '-o', exifBlock]);
    const webpWithGps = join(dir, 'sticker.webp');
    writeFileSync(webpWithGps, withExifChunk(readFileSync(plainWebp), readFileSync(exifBlock)));
    // A GIF (a 1×1 one, as messaging apps send stickers), tagged by exiftool: a comment and XMP
    // with a GPS position.
    const plainGif = join(dir, 'plain.gif');
    writeFileSync(plainGif, Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
    const gifWithGps = join(dir, 'sticker.gif');
    exiftool(['-XMP-exif:GPSLatitude=52.370216 N', '-XMP-exif:GPSLongitude=4.895168 E', '-Comment=Noor, at home',
      '-o', gifWithGps, plainGif]);
    // A close face: one sitter of the group photo that ships in the rustface crate (the 1927
    // Solvay conference, public domain), cropped and enlarged 3× as a phone selfie would show it.
    const face = join(dir, 'selfie.jpg');
    const group = readFileSync(rustfaceGroupPhoto()).toString('base64');
    const face64 = await page.evaluate(async (png) => {
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 585;
      canvas.height = 645;
      const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 217, 186, 195, 215, 0, 0, 585, 645);
      return canvas.toDataURL('image/jpeg', 0.95).split(',')[1] ?? '';
    }, group);
    writeFileSync(face, Buffer.from(face64, 'base64'));
    // The same selfie as a PNG: a format the engine does not decode to look at, so the browser's
    // decoder makes the copy the faces are looked for in.
    const facePng = join(dir, 'selfie.png');
    const png64 = await page.evaluate(async (jpeg) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${jpeg}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext('2d')?.drawImage(img, 0, 0);
      return canvas.toDataURL('image/png').split(',')[1] ?? '';
    }, face64);
    writeFileSync(facePng, Buffer.from(png64, 'base64'));
    // A photo whose face is at the top and whose lower part holds none (an outfit photo): one
    // sitter's head, enlarged, above a faceless picture; cropping the face out keeps the rest.
    const faceAbove = join(dir, 'outfit.jpg');
    const outfit64 = await page.evaluate(async (png) => {
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 800;
      canvas.height = 1400;
      const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
      const sky = ctx.createLinearGradient(0, 0, 0, 1400);
      sky.addColorStop(0, '#c7d2fe');
      sky.addColorStop(1, '#334155');
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, 800, 1400);
      ctx.fillStyle = '#b45309';
      ctx.fillRect(120, 700, 560, 600);
      ctx.fillStyle = '#0f766e';
      ctx.fillRect(260, 800, 280, 420);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 227, 196, 175, 195, 225, 60, 350, 390);
      return canvas.toDataURL('image/jpeg', 0.93).split(',')[1] ?? '';
    }, group);
    writeFileSync(faceAbove, Buffer.from(outfit64, 'base64'));
    // A phone's selfie at full size: 12 MP (3000×4000), one face filling a third of the height,
    // as a camera gives it. Blurring several takes seconds: the fix that must not freeze the rest.
    const big64 = await page.evaluate(async (png) => {
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 3000;
      canvas.height = 4000;
      const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 165, 130, 300, 400, 0, 0, 3000, 4000);
      return canvas.toDataURL('image/jpeg', 0.92).split(',')[1] ?? '';
    }, group);
    const bigSelfies = [1, 2, 3].map((n) => {
      const path = join(dir, `selfie-12mp-${n}.jpg`);
      writeFileSync(path, Buffer.from(big64, 'base64'));
      return path;
    });
    return { withGps, noRisk, portrait, pngWithGps, webpWithGps, gifWithGps, face, facePng, faceAbove, bigSelfies, dir };
  } finally {
    await browser.close();
  }
}

/**
 * Adds an EXIF chunk to an extended-format WebP (VP8X, as Chromium's encoder writes) the way
 * cameras' apps do: chunk after the image data, VP8X EXIF flag set, RIFF size fixed.
 * @param {Buffer} webp
 * @param {Buffer} exif a TIFF block
 */
export function withExifChunk(webp, exif) {
  if (webp.toString('latin1', 12, 16) !== 'VP8X') throw new Error('expected an extended WebP (VP8X)');
  const header = Buffer.alloc(8);
  header.write('EXIF', 0, 'latin1');
  header.writeUInt32LE(exif.length, 4);
  const pad = exif.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  const out = Buffer.concat([webp, header, exif, pad]);
  out.writeUInt32LE(out.length - 8, 4);
  out[20] = (out[20] ?? 0) | 0x08; // VP8X flags byte: EXIF present
  return out;
}

/** The group photo that ships in the rustface crate, found through `cargo metadata`. */
export function rustfaceGroupPhoto() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--offline'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }));
  const pkg = meta.packages.find((/** @type {any} */ p) => p.name === 'rustface');
  return join(dirname(pkg.manifest_path), 'test.png');
}

/** @param {string[]} args */
export function exiftool(args) {
  return execFileSync('exiftool', ['-q', '-q', ...args], { encoding: 'utf8' });
}

/**
 * Every tag exiftool finds, as `Group:Tag` → value (the oracle for "nothing left").
 * @param {string | Buffer} file a path, or bytes (written to a temporary file)
 * @returns {Record<string, unknown>}
 */
export function tagsOf(file) {
  let path = file;
  if (Buffer.isBuffer(file)) {
    const dir = mkdtempSync(join(tmpdir(), 'sentinelle-tags-'));
    path = join(dir, 'file.jpg');
    writeFileSync(path, file);
  }
  const [tags] = JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', '-n', /** @type {string} */ (path)], { encoding: 'utf8' }));
  return tags;
}

/** Tags that reveal something about the person, their device, place or time. */
export const PRIVATE_TAG_RE = /^(GPS|Composite:GPS)|:(GPS\w*|Make|Model|SerialNumber|OwnerName|Artist|DateTimeOriginal|CreateDate|ModifyDate|Software|ThumbnailImage|XMP\w*)$/;

/** @param {Record<string, unknown>} tags */
export function privateTags(tags) {
  return Object.keys(tags).filter((key) => PRIVATE_TAG_RE.test(key));
}

/**
 * The entropy-coded image data of a JPEG (from the first SOS to the end of the file, minus any
 * trailer): equal bytes here mean equal pixels, whatever happened to the metadata segments.
 * @param {Buffer} bytes
 */
export function scanData(bytes) {
  let i = 2;
  while (i + 4 <= bytes.length) {
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xda) {
      const eoi = bytes.lastIndexOf(Buffer.from([0xff, 0xd9]));
      return bytes.subarray(i, eoi + 2);
    }
    i += 2 + length;
  }
  throw new Error('no SOS segment');
}

export function chromiumProfileDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinelle-chromium-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The id Chromium gives the unpacked extension in dist/chromium (derived from its path). */
export function chromiumExtensionId() {
  const hash = createHash('sha256').update(join(DIST, 'chromium')).digest('hex').slice(0, 32);
  return [...hash].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/** Whether this machine lets a test make a private mount namespace (root or user namespaces). */
export function canUseMountNamespace() {
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', '/bin/sh', '-c', 'mount -t tmpfs tmpfs /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Chromium with the built extension, the way a person has it. Returns the context and the id.
 * @param {typeof import('playwright-core').chromium} chromium
 * @param {{lang?: string | null, headless?: boolean, policyFile?: string, profileDir?: string, extensionDir?: string}} [options]
 *   lang null: the system's language; policyFile: a managed policy, applied in a private mount
 *   namespace; profileDir: a profile to start again (a new one otherwise); extensionDir: another
 *   build of the extension (a benchmark's A/B), dist/chromium otherwise
 */
export async function launchChromium(chromium, { lang = 'en-US', headless = true, policyFile, profileDir, extensionDir } = {}) {
  const ext = extensionDir ?? join(DIST, 'chromium');
  if (!existsSync(join(ext, 'manifest.json'))) throw new Error(`${ext} holds no extension: run \`make build\``);
  const profile = profileDir ?? chromiumProfileDir();
  const launch = () => chromium.launchPersistentContext(profile, {
    executablePath: policyFile ? join(ROOT, 'tests', 'e2e', 'chromium-with-policy.sh') : '/usr/bin/chromium',
    ...(policyFile ? { env: { ...process.env, SENTINELLE_POLICY_FILE: policyFile } } : {}),
    headless, ...(lang ? { locale: lang } : {}),
    args: [...CHROMIUM_ARGS, ...(lang ? [`--lang=${lang}`] : []), `--disable-extensions-except=${ext}`, `--load-extension=${ext}`],
    // Playwright waits 180 s for a browser to start, which is the whole e2e file's time limit:
    // twice in about a dozen full runs the Chromium file was killed with no test named (once
    // just as a test started a second browser; never reproduced alone), which is what a start
    // that hangs looks like. A browser not started in 45 s is started once more, in a new
    // profile, with a line in the output; the tests themselves are unchanged.
    timeout: 45_000,
  });
  let context;
  try {
    context = await launch();
  } catch (error) {
    if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
    console.log(`# Chromium did not start in 45 s; starting it again (${error.message.split('\n')[0]})`);
    context = await launch();
  }
  // A persistent context gives no handle on its process: a browser that will not close is found
  // by its profile folder, which is on its command line.
  track(context, () => { try { execFileSync('pkill', ['-KILL', '-f', `user-data-dir=${profile}`]); } catch { /* gone */ } });
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker');
  return { context, extensionId: new URL(worker.url()).host };
}

/**
 * Every browser the tests started and have not closed, with a way to kill it. A test that times
 * out is abandoned by the runner with its `finally` never run, so its browser would stay open;
 * and a browser's close can hang (seen once: the Chromium file's `after` hook waited 180 s on it,
 * and the run failed though every test had passed). Each e2e file's `after` calls
 * closeEveryBrowser, which never waits more than 10 s for one.
 * @type {Map<{close: () => Promise<unknown>}, () => void>}
 */
const openBrowsers = new Map();

/**
 * @param {{close: () => Promise<unknown>, once: (event: any, fn: () => void) => unknown}} browser
 * @param {() => void} kill
 * @param {string} [closed] the event the browser sends once closed
 */
export function track(browser, kill, closed = 'close') {
  openBrowsers.set(browser, kill);
  browser.once(/** @type {any} */ (closed), () => openBrowsers.delete(browser));
}

/** Closes every browser still open: each is given 10 s, then killed. */
export async function closeEveryBrowser() {
  await Promise.all([...openBrowsers].map(async ([browser, kill]) => {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const closed = await Promise.race([
      browser.close().then(() => true, () => false),
      new Promise((resolve) => { timer = setTimeout(() => resolve(false), 10_000); }),
    ]);
    clearTimeout(timer);
    if (!closed) kill();
  }));
  openBrowsers.clear();
}

/**
 * Chooses a profile on the options page of a Chromium with the extension, as a parent does.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} extensionId
 * @param {'child' | 'teen' | 'adult'} profile
 */
export async function chooseChromiumProfile(context, extensionId, profile) {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options/options.html`);
  await options.waitForSelector('body[data-ready]');
  await options.check(`input[name=profile][value=${profile}]`);
  await options.click('#save');
  await options.waitForFunction(() => document.getElementById('save-status')?.textContent === 'Saved.');
  await options.close();
}

/** The moz-extension:// host the tests give the extension in Firefox. */
export const FIREFOX_EXTENSION_UUID = '5e7f1e11-0000-4000-8000-5e7f1e115e7f';

/**
 * Firefox ESR with the built extension, over WebDriver BiDi (no geckodriver).
 * @param {import('puppeteer-core').PuppeteerNode} puppeteer
 * @param {{systemAccess?: boolean, policyFile?: string, display?: string}} [options] policyFile: a
 *   policies.json, applied in a private mount namespace; display: an X display (Xvfb) to run with
 *   a window instead of headless (headless Firefox's clipboard holds no pictures)
 */
export async function launchFirefox(puppeteer, { systemAccess = false, policyFile = '', display = '' } = {}) {
  const ext = join(DIST, 'firefox');
  if (!existsSync(join(ext, 'manifest.json'))) throw new Error('dist/firefox is missing: run `make build`');
  const browser = await puppeteer.launch({
    browser: 'firefox', headless: !display,
    executablePath: policyFile ? join(ROOT, 'tests', 'e2e', 'firefox-with-policy.sh') : '/usr/bin/firefox-esr',
    env: { ...process.env, ...(policyFile ? { SENTINELLE_POLICY_FILE: policyFile } : {}), ...(display ? { DISPLAY: display } : {}) },
    // Lets a test reach the browser's own window (its toolbar), which BiDi otherwise hides.
    ...(systemAccess ? { args: ['--remote-allow-system-access'] } : {}),
    extraPrefsFirefox: {
      // A closed network: no update checks, telemetry or remote settings.
      'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false, 'extensions.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      // A fixed moz-extension:// host, so tests can open the extension's own pages.
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
    },
  });
  track(browser, () => { browser.process()?.kill('SIGKILL'); }, 'disconnected');
  const extensionId = await browser.installExtension(ext);
  return { browser, extensionId };
}

/**
 * Runs `expression` in a Firefox's own window (chrome scope; needs --remote-allow-system-access,
 * `launchFirefox(…, {systemAccess: true})`), where BiDi otherwise cannot reach.
 * @param {import('puppeteer-core').Browser} browser
 * @param {string} expression
 */
export async function evaluateInBrowserWindow(browser, expression) {
  const connection = /** @type {any} */ (browser).connection;
  const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts.find((/** @type {any} */ c) => c.url === 'chrome://browser/content/browser.xhtml')?.context;
  const answer = await connection.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  if (answer.result.type !== 'success') throw new Error(JSON.stringify(answer.result));
  return answer.result.result.value;
}

/** The browser window's expression for the tab showing `url` (a <browser> element). @param {string} url */
const tabBrowser = (url) => `gBrowser.browsers.find((b) => b.currentURI.spec === ${JSON.stringify(url)})`;

/**
 * Drops a real file on `selector` in a Firefox page with trusted drag events. WebDriver cannot
 * drag a file in from outside the browser, so privileged test code in the page's process makes
 * the drop, as Firefox's own tests do: the events are trusted (made by system code), and the
 * DataTransfer is built under the page's principal, since a page only sees files its own
 * principal put there. Needs `launchFirefox(…, {systemAccess: true})`.
 * @param {import('puppeteer-core').Browser} browser
 * @param {import('puppeteer-core').Page} page
 * @param {string} selector
 * @param {string} path
 * @param {string[]} [frames] selectors of the same-origin frames `selector` is in, outermost first
 */
export async function firefoxDropFile(browser, page, selector, path, frames = [], crossOrigin = '') {
  const type = /\.png$/i.test(path) ? 'image/png' : 'image/jpeg';
  const photo = { data: readFileSync(path).toString('base64'), name: basename(path), type };
  // What runs in the page's process with `win` its window; the page-principal sandbox builds the
  // files. `frames`: the selectors of the (same-process) frames to go down through first.
  const drop = `(win) => {
    const photo = ${JSON.stringify(photo)};
    for (const frame of ${JSON.stringify(frames)}) win = win.document.querySelector(frame).contentWindow;
    const target = win.document.querySelector(${JSON.stringify(selector)});
    const sandbox = Components.utils.Sandbox(win, { sandboxPrototype: win, wantXrays: false });
    const box = target.getBoundingClientRect();
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      const transfer = Components.utils.evalInSandbox(\`(() => {
        const bytes = Uint8Array.from(atob(\${JSON.stringify(photo.data)}), (c) => c.charCodeAt(0));
        const t = new DataTransfer();
        t.items.add(new File([bytes], \${JSON.stringify(photo.name)}, { type: \${JSON.stringify(photo.type)} }));
        return t;
      })()\`, sandbox);
      target.dispatchEvent(new win.DragEvent(kind, {
        bubbles: true, cancelable: true, composed: true, dataTransfer: transfer,
        clientX: box.x + box.width / 2, clientY: box.y + box.height / 2,
      }));
    }
  }`;
  if (!crossOrigin) {
    // A frame script of the tab: `content` is the top page's window.
    const script = `(${drop})(content)`;
    await evaluateInBrowserWindow(browser, `(() => {
      ${tabBrowser(page.url())}.messageManager.loadFrameScript('data:,' + encodeURIComponent(${JSON.stringify(script)}), false);
      return 'ok';
    })()`);
    return;
  }
  // A cross-origin frame lives in another process (Fission), out of the tab's frame script's
  // reach: find its browsing context by address, then run the drop in a process script, which
  // every content process runs and only the one holding that frame acts on.
  await evaluateInBrowserWindow(browser, `(() => {
    const tab = ${tabBrowser(page.url())};
    const frame = tab.browsingContext.getAllBrowsingContextsInSubtree()
      .find((bc) => bc.currentURI?.spec.includes(${JSON.stringify(crossOrigin)}));
    if (!frame) throw new Error('no frame at ' + ${JSON.stringify(crossOrigin)});
    const script = '(() => { const bc = BrowsingContext.get(' + frame.id + '); if (!bc || !bc.docShell) return; (' + ${JSON.stringify(drop)} + ')(bc.docShell.domWindow); })()';
    Services.ppmm.loadProcessScript('data:,' + encodeURIComponent(script), false);
    return 'ok';
  })()`);
}

/**
 * Runs `press` (the person's press that opens the file dialog) with the operating system's dialog
 * replaced by a stand-in that picks `path` (a file, or a folder). The real dialog cannot be
 * driven, BiDi's input.setFiles refuses folders and cannot reach inputs of a page-made
 * about:blank frame; the stand-in is what Playwright does for Chromium's dialog. Firefox does the
 * rest as with a real choice (it reads the file or folder and fires the events). Needs system access.
 * @param {import('puppeteer-core').Browser} browser
 * @param {string} path
 * @param {() => Promise<void>} press
 */
async function withStandInDialog(browser, path, press) {
  await evaluateInBrowserWindow(browser, `(() => {
    const registrar = Components.manager.QueryInterface(Ci.nsIComponentRegistrar);
    const contract = '@mozilla.org/filepicker;1';
    const picked = () => new FileUtils.File(${JSON.stringify(path)});
    const picker = () => ({
      QueryInterface: ChromeUtils.generateQI(['nsIFilePicker']),
      init(parent, title, mode) { this.mode = mode; },
      appendFilters() {}, appendFilter() {}, appendRawFilter() {},
      defaultString: '', defaultExtension: '', filterIndex: 0, displayDirectory: null, displaySpecialDirectory: '',
      addToRecentDocs: false, okButtonLabel: '', capture: 0,
      get file() { return picked(); },
      get fileURL() { return Services.io.newFileURI(picked()); },
      get files() { return [picked()].values(); },
      get domFileOrDirectory() { return null; },
      get domFileOrDirectoryEnumerator() { return null; },
      isModeSupported() { return Promise.resolve(true); },
      open(callback) { Services.tm.dispatchToMainThread(() => callback.done(Ci.nsIFilePicker.returnOK)); },
      close() {},
    });
    const factory = { createInstance: (iid) => picker().QueryInterface(iid), QueryInterface: ChromeUtils.generateQI(['nsIFactory']) };
    const cid = Services.uuid.generateUUID();
    globalThis.sentinelleRealPicker = { original: registrar.contractIDToCID(contract), cid, factory };
    registrar.registerFactory(cid, 'Sentinelle test file picker', contract, factory);
    return 'ok';
  })()`);
  try {
    await press();
  } finally {
    await evaluateInBrowserWindow(browser, `(() => {
      const registrar = Components.manager.QueryInterface(Ci.nsIComponentRegistrar);
      const { original, cid, factory } = globalThis.sentinelleRealPicker;
      registrar.unregisterFactory(cid, factory);
      registrar.registerFactory(original, '', '@mozilla.org/filepicker;1', null);
      return 'ok';
    })()`);
  }
}

/**
 * Chooses the folder `dir` in a Firefox page's folder input (`webkitdirectory`) as a person
 * does: a press on the input opens the file dialog (a stand-in, see withStandInDialog), the
 * folder is chosen, and Firefox's own "upload all files from …?" question is answered "Upload".
 * @param {import('puppeteer-core').Browser} browser
 * @param {import('puppeteer-core').Page} page
 * @param {string} selector
 * @param {string} dir
 */
export async function firefoxChooseFolder(browser, page, selector, dir) {
  await withStandInDialog(browser, dir, async () => {
    await page.click(selector);
    // Firefox asks before a page gets a whole folder; the person answers "Upload".
    let answered = false;
    for (let i = 0; i < 200 && !answered; i += 1) {
      answered = await evaluateInBrowserWindow(browser, `(() => {
        const box = gBrowser.getTabDialogBox(${tabBrowser(page.url())});
        for (const manager of [box.getTabDialogManager(), box.getContentDialogManager()]) {
          for (const dialog of manager._dialogs) {
            const doc = dialog.frameContentWindow?.document;
            const box = doc?.querySelector('dialog');
            // Its button only works after Firefox's short safety delay, like a person's press.
            if (/upload/i.test(doc?.getElementById('infoBody')?.textContent ?? '') && box?.getButton('accept')?.disabled === false) {
              box.acceptDialog();
              return true;
            }
          }
        }
        return false;
      })()`);
      if (!answered) await new Promise((r) => setTimeout(r, 50));
    }
    if (!answered) throw new Error('Firefox did not ask whether to upload the folder');
  });
}

/**
 * Chooses `path` in the file input `inputSelector` inside the frame `frameSelector`, as a person
 * does: a mouse press at the input's place opens the file dialog (a stand-in, see
 * withStandInDialog). Works for every kind of frame, the page-made about:blank one included.
 * @param {import('puppeteer-core').Browser} browser
 * @param {import('puppeteer-core').Page} page
 * @param {string} frameSelector
 * @param {string} inputSelector
 * @param {string} path
 */
export async function firefoxChooseInFrame(browser, page, frameSelector, inputSelector, path) {
  const element = await page.waitForSelector(frameSelector);
  await element?.evaluate((f) => f.scrollIntoView({ block: 'center' }));
  const frame = await element?.contentFrame();
  if (!element || !frame) throw new Error(`${frameSelector} is not a frame`);
  await frame.waitForSelector(inputSelector);
  const outer = await element.evaluate((f) => {
    const r = f.getBoundingClientRect();
    return { x: r.x + f.clientLeft, y: r.y + f.clientTop };
  });
  const inner = await frame.$eval(inputSelector, (input) => {
    const r = input.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  await withStandInDialog(browser, path, () => page.mouse.click(outer.x + inner.x, outer.y + inner.y));
}

/**
 * The loaded editing frame of the editor fixture named `name` (puppeteer over BiDi reports a
 * frame's first URL, so each frame is asked where it is).
 * @param {import('puppeteer-core').Page} page
 * @param {string} name
 */
export async function firefoxEditingFrame(page, name) {
  for (let i = 0; i < 200; i += 1) {
    for (const frame of page.frames()) {
      const href = await frame.evaluate(() => location.href).catch(() => '');
      if (href.includes(`editor-frame.html?name=${name}`) && await frame.evaluate(() => document.readyState === 'complete').catch(() => false)) return frame;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no editing frame ${name}`);
}

/**
 * The guard's frame in a Firefox page (puppeteer over BiDi).
 * @param {import('puppeteer-core').Page} page
 */
export async function firefoxGuardFrame(page) {
  for (let i = 0; i < 300; i += 1) {
    // Puppeteer over BiDi keeps reporting the guard frame's first URL (about:blank), so ask each
    // frame where it really is.
    /** @type {import('puppeteer-core').Frame[]} */
    const ours = [];
    for (const frame of page.frames()) {
      const href = await frame.evaluate(() => location.href).catch(() => '');
      if (href.startsWith('moz-extension://')) ours.push(frame);
    }
    const found = pickGuardFrame(ours, page.mainFrame(), i);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no guard frame appeared');
}

/**
 * Which of a page's guard frames shows the warning. An upload in a frame has two: a hidden one in
 * that frame, which passes the files to the one over the top-level page (a child of the main
 * frame), which shows the warning; so a guard in the main frame is preferred, and one in a
 * frame is taken only when no other has come for a while (the frame then shows it itself).
 * @template {{parentFrame: () => unknown}} F
 * @param {F[]} ours the page's guard frames
 * @param {unknown} main the page's main frame
 * @param {number} polls how many times the caller has looked, 50 ms apart
 * @returns {F | null}
 */
export function pickGuardFrame(ours, main, polls) {
  const top = ours.find((frame) => frame.parentFrame() === main);
  if (top) return top;
  return polls >= 80 ? (ours[0] ?? null) : null;
}

/** @param {string} path */
export function sha256File(path) {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];
}

/** @param {string} path */
export function readBytes(path) {
  return readFileSync(path);
}

/**
 * Decodes two JPEGs in the page (the browser's own decoder, orientation not applied) and says
 * whether every pixel is the same.
 * @param {(fn: Function, arg?: any) => Promise<any>} evaluate page.evaluate of either driver
 * @param {Buffer} a
 * @param {Buffer} b
 */
export async function samePixels(evaluate, a, b) {
  return evaluate(async (/** @type {{a64: string, b64: string}} */ { a64, b64 }) => {
    /** @param {string} data */
    const pixels = async (data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }), { imageOrientation: 'none' });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
      ctx.drawImage(bitmap, 0, 0);
      return { w: bitmap.width, h: bitmap.height, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
    };
    const [pa, pb] = await Promise.all([pixels(a64), pixels(b64)]);
    if (pa.w !== pb.w || pa.h !== pb.h) return false;
    for (let i = 0; i < pa.data.length; i += 1) if (pa.data[i] !== pb.data[i]) return false;
    return pa.data.length > 0;
  }, { a64: a.toString('base64'), b64: b.toString('base64') });
}
