// Times the wasm engine in this browser, in one run:
// 1. metadata inspect: the engine's analyze() against exifr (the fastest JS EXIF reader) on the
//    same files, per format: the real photos of the shared corpus when scripts/bench-browser.mjs
//    serves them (at /bench-corpus/), and photos generated here (JPEG with an EXIF block holding
//    GPS, make, model, serials and a thumbnail; PNG with tEXt and eXIf; WebP with EXIF); and the
//    floor on the corpus JPEGs: analyze() on their stripped copies (every byte still read);
// 2. the lossless strip's throughput on the generated JPEG (~5 MB), PNG and WebP;
// 3. PDQ on generated images at 1 MP and 12 MP: the hash alone (pixels in), the whole hashImage
//    on a JPEG (decode + PDQ + MD5 + SHA-256), the browser's own decode, and SHA-256 in WebCrypto.
// window.benchResults has the numbers: {inspect, strip, pdq} (or {error}).
import init, { analyze, hashImage, pdqFromRgba, strip } from '../pkg/sentinelle.js';

// The sizes of the native criterion benchmark (benches/pdq.rs), so the numbers compare.
const SIZES = /** @type {const} */ ([['1 MP', 1280, 800], ['12 MP', 4000, 3000]]);
const RUNS = 7;
/** Untimed runs first: V8 starts wasm on a baseline compiler and tiers up to optimised code. */
const WARM_UP = 3;
/**
 * Inspect and strip runs repeat their work until a run lasts this long: the browser's clock is
 * coarse (0.1 ms outside cross-origin isolation) and one small file parses in microseconds.
 */
const MIN_RUN_MS = 50;
/** exifr's ES module bundle, served by scripts/serve.mjs from node_modules/exifr/dist/. */
const EXIFR_URL = '../vendor/exifr/full.esm.mjs';

/**
 * exifr's full parser set to read what analyze() reads: the TIFF structure (IFD0, Exif, GPS,
 * Interop, and IFD1 where the thumbnail is), UserComment, XMP (parsed; extended XMP joined),
 * IPTC, the JFIF header (its thumbnail size), and in PNG the tEXt/iTXt/eXIf chunks (its PNG
 * parser reads them whenever it runs). ICC is OFF: the engine keeps the colour profile and does
 * not parse it. Maker notes are off: the engine does not decode them either. Values are turned
 * into names and readable values (exifr's default), as the engine's findings are; blocks are not
 * merged, so IFD1's tags are kept as the engine's thumbnail finding is.
 * @type {Parameters<typeof import('exifr').parse>[1]}
 */
const EXIFR_OPTIONS = {
  tiff: true, exif: true, gps: true, interop: true, ifd1: true, makerNote: false, userComment: true,
  xmp: true, iptc: true, jfif: true, icc: false, multiSegment: true, mergeOutput: false,
};

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** @param {() => unknown | Promise<unknown>} fn */
async function time(fn) {
  for (let i = 0; i < WARM_UP; i += 1) await fn();
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await fn();
    runs.push(performance.now() - start);
  }
  return median(runs);
}

/**
 * Milliseconds for one call of `fn`: the median of RUNS runs after WARM_UP calls, each run calling
 * it as many times as it takes to last MIN_RUN_MS. Every call is awaited (one microtask each, the
 * same for both readers), and so is the promise an asynchronous `fn` (exifr's only API) returns.
 * @param {() => unknown} fn
 */
async function timeEach(fn) {
  const call = awaited(fn);
  const reps = await callsPerRun(call);
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    const begin = performance.now();
    for (let k = 0; k < reps; k += 1) await call();
    runs.push((performance.now() - begin) / reps);
  }
  return median(runs);
}

/**
 * `fn` as a call to await (its promise too, when it returns one).
 * @param {() => unknown} fn
 */
const awaited = (fn) => async () => { const result = fn(); if (result instanceof Promise) await result; };

/**
 * How many calls make a timed run: WARM_UP calls first, then as many as it takes to last
 * MIN_RUN_MS, judged from one more.
 * @param {() => Promise<void>} call
 */
async function callsPerRun(call) {
  for (let i = 0; i < WARM_UP; i += 1) await call();
  const start = performance.now();
  await call();
  const once = Math.max(performance.now() - start, 0.005);
  return Math.min(100_000, Math.max(1, Math.ceil(MIN_RUN_MS / once)));
}

/**
 * [`timeEach`] for two functions whose speeds are compared: their timed runs alternate (A, B,
 * B, A...), so that whatever slows the machine for a while (the other core's work, a garbage
 * collection, the clock) falls on both alike; run-to-run noise in a single reader's median was
 * ±15%, as large as the differences measured. Returns each one's median, in ms per call.
 * @param {() => unknown} first
 * @param {() => unknown} second
 * @returns {Promise<[number, number]>}
 */
async function timeBoth(first, second) {
  const calls = [awaited(first), awaited(second)];
  const reps = [];
  for (const call of calls) reps.push(await callsPerRun(call));
  /** @type {[number[], number[]]} */
  const runs = [[], []];
  for (let i = 0; i < PAIRED_RUNS; i += 1) {
    // Which goes first changes every pair, so neither always runs right after the other (and,
    // say, pays for the garbage the other left).
    for (const n of i % 2 ? [1, 0] : [0, 1]) {
      const call = calls[n];
      if (!call) continue;
      const count = reps[n] ?? 1;
      const begin = performance.now();
      for (let k = 0; k < count; k += 1) await call();
      runs[n]?.push((performance.now() - begin) / count);
    }
  }
  return [median(runs[0]), median(runs[1])];
}

/** Alternating runs of each reader in a comparison (more than RUNS: the ratio is the target). */
const PAIRED_RUNS = 15;

/** A photo-like picture: gradients, shapes and noise, so PDQ and the codecs have real work. */
function draw(/** @type {number} */ width, /** @type {number} */ height) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#0ea5e9');
  sky.addColorStop(0.6, '#f97316');
  sky.addColorStop(1, '#22c55e');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 400; i += 1) {
    ctx.fillStyle = `hsla(${rand() * 360}, 70%, ${30 + rand() * 40}%, 0.5)`;
    ctx.beginPath();
    ctx.arc(rand() * width, rand() * height, rand() * width / 12, 0, Math.PI * 2);
    ctx.fill();
  }
  const image = ctx.getImageData(0, 0, width, height);
  for (let i = 0; i < image.data.length; i += 4) {
    const n = (rand() - 0.5) * 24;
    image.data[i] = (image.data[i] ?? 0) + n;
    image.data[i + 1] = (image.data[i + 1] ?? 0) + n;
    image.data[i + 2] = (image.data[i + 2] ?? 0) + n;
  }
  ctx.putImageData(image, 0, 0);
  return { canvas, image };
}

/**
 * @param {OffscreenCanvas} canvas
 * @param {string} type
 * @param {number} [quality]
 */
async function encode(canvas, type, quality) {
  return new Uint8Array(await (await canvas.convertToBlob({ type, quality })).arrayBuffer());
}

// ---- Metadata the way a phone writes it, built here so the benchmark needs no fixture file ----

/** @typedef {{tag: number, type: 1 | 2 | 3 | 4 | 5 | 7, value: string | number[] | Uint8Array}} TiffEntry */

/** Bytes per value of the TIFF types used here (BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED). */
const TIFF_TYPE_SIZE = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

/** @param {TiffEntry} entry */
function tiffCount(entry) {
  if (typeof entry.value === 'string') return entry.value.length + 1; // with its NUL
  return entry.type === 5 ? entry.value.length / 2 : entry.value.length;
}

/** @param {TiffEntry} entry */
const tiffValueBytes = (entry) => tiffCount(entry) * TIFF_TYPE_SIZE[entry.type];

/** @param {TiffEntry[]} entries */
const ifdBytes = (entries) => 2 + entries.length * 12 + 4
  + entries.reduce((sum, e) => sum + (tiffValueBytes(e) > 4 ? (tiffValueBytes(e) + 1) & ~1 : 0), 0);

/**
 * A big-endian TIFF structure as in a phone's EXIF block: IFD0 (make, model, owner, dates),
 * the Exif IFD (body and lens serials, owner), the GPS IFD (the Eiffel Tower) and IFD1 holding
 * `thumbnail`, a JPEG.
 * @param {Uint8Array} thumbnail
 */
function exifTiff(thumbnail) {
  const pointer = (/** @type {number} */ tag) => /** @type {TiffEntry} */ ({ tag, type: 4, value: [0] });
  const exifPointer = pointer(0x8769);
  const gpsPointer = pointer(0x8825);
  const thumbOffset = pointer(0x0201);
  /** @type {TiffEntry[][]} IFD0, Exif, GPS, IFD1 */
  const ifds = [
    [
      { tag: 0x010f, type: 2, value: 'Sentinelle Bench Co.' }, { tag: 0x0110, type: 2, value: 'Phone 12 Pro' },
      { tag: 0x0112, type: 3, value: [1] }, { tag: 0x0131, type: 2, value: 'Camera 17.4.1' },
      { tag: 0x0132, type: 2, value: '2024:05:01 12:34:56' }, { tag: 0x013b, type: 2, value: 'Jane Doe' },
      exifPointer, gpsPointer,
    ],
    [
      { tag: 0x9003, type: 2, value: '2024:05:01 12:34:56' }, { tag: 0xa430, type: 2, value: 'Jane Doe' },
      { tag: 0xa431, type: 2, value: 'SN-0123456789' }, { tag: 0xa435, type: 2, value: 'LENS-98765' },
    ],
    [
      { tag: 0x0000, type: 1, value: [2, 3, 0, 0] }, { tag: 0x0001, type: 2, value: 'N' },
      { tag: 0x0002, type: 5, value: [48, 1, 51, 1, 3013, 100] }, { tag: 0x0003, type: 2, value: 'E' },
      { tag: 0x0004, type: 5, value: [2, 1, 17, 1, 4041, 100] },
    ],
    [{ tag: 0x0103, type: 3, value: [6] }, thumbOffset, { tag: 0x0202, type: 4, value: [thumbnail.length] }],
  ];
  const offsets = [8];
  for (const ifd of ifds) offsets.push((offsets.at(-1) ?? 0) + ifdBytes(ifd));
  const [ifd0At = 0, exifAt = 0, gpsAt = 0, ifd1At = 0, thumbAt = 0] = offsets;
  exifPointer.value = [exifAt];
  gpsPointer.value = [gpsAt];
  thumbOffset.value = [thumbAt];
  const out = new Uint8Array(thumbAt + thumbnail.length);
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x4d, 0x00, 0x2a], 0);
  view.setUint32(4, ifd0At);
  ifds.forEach((entries, n) => {
    const at = offsets[n] ?? 0;
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    view.setUint16(at, sorted.length);
    let data = at + 2 + sorted.length * 12 + 4;
    sorted.forEach((entry, i) => {
      const e = at + 2 + i * 12;
      view.setUint16(e, entry.tag);
      view.setUint16(e + 2, entry.type);
      view.setUint32(e + 4, tiffCount(entry));
      const size = tiffValueBytes(entry);
      const place = size > 4 ? data : e + 8;
      if (size > 4) { view.setUint32(e + 8, data); data += (size + 1) & ~1; }
      const { value } = entry;
      if (typeof value === 'string') out.set(new TextEncoder().encode(value), place);
      else if (value instanceof Uint8Array) out.set(value, place);
      else {
        value.forEach((v, k) => {
          if (entry.type === 3) view.setUint16(place + k * 2, v);
          else if (entry.type === 4 || entry.type === 5) view.setUint32(place + k * 4, v);
          else view.setUint8(place + k, v);
        });
      }
    });
    // IFD0 links to IFD1 (the thumbnail's IFD); the others end the chain.
    view.setUint32(at + 2 + sorted.length * 12, n === 0 ? ifd1At : 0);
  });
  out.set(thumbnail, thumbAt);
  return out;
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

/** @param {string} text */
const ascii = (text) => new TextEncoder().encode(text);

/**
 * The JPEG with an EXIF APP1 segment after its JFIF APP0 (where cameras put it).
 * @param {Uint8Array} jpeg
 * @param {Uint8Array} tiff
 */
function withExifJpeg(jpeg, tiff) {
  const length = 2 + 6 + tiff.length;
  if (length > 0xffff) throw new Error(`EXIF block too big for one APP1 segment: ${length} bytes`);
  const app1 = concat([new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff]), ascii('Exif\0\0'), tiff]);
  const at = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 4 + (((jpeg[4] ?? 0) << 8) | (jpeg[5] ?? 0)) : 2;
  return concat([jpeg.subarray(0, at), app1, jpeg.subarray(at)]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The PNG with `chunks` ([type, data]) right after its IHDR.
 * @param {Uint8Array} png
 * @param {[string, Uint8Array][]} chunks
 */
function withPngChunks(png, chunks) {
  const ihdrEnd = 8 + 8 + 13 + 4;
  const built = chunks.map(([type, data]) => {
    const chunk = new Uint8Array(12 + data.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set(ascii(type), 4);
    chunk.set(data, 8);
    view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
    return chunk;
  });
  return concat([png.subarray(0, ihdrEnd), ...built, png.subarray(ihdrEnd)]);
}

/**
 * The WebP in its extended form (VP8X) with an EXIF chunk at the end, as phones write it.
 * @param {Uint8Array} webp
 * @param {Uint8Array} tiff
 * @param {number} width
 * @param {number} height
 */
function withWebpExif(webp, tiff, width, height) {
  const exif = new Uint8Array(8 + tiff.length + (tiff.length & 1));
  exif.set(ascii('EXIF'), 0);
  new DataView(exif.buffer).setUint32(4, tiff.length, true);
  exif.set(tiff, 8);
  let body;
  if (String.fromCharCode(...webp.subarray(12, 16)) === 'VP8X') {
    body = webp.slice(12);
    body[8] = (body[8] ?? 0) | 0x08; // the EXIF flag
  } else {
    const vp8x = new Uint8Array(18);
    vp8x.set(ascii('VP8X'), 0);
    vp8x[4] = 10;
    vp8x[8] = 0x08; // the EXIF flag
    // Canvas width and height minus one, 24-bit little-endian.
    for (let k = 0; k < 3; k += 1) {
      vp8x[12 + k] = ((width - 1) >> (8 * k)) & 0xff;
      vp8x[15 + k] = ((height - 1) >> (8 * k)) & 0xff;
    }
    body = concat([vp8x, webp.subarray(12)]);
  }
  const out = concat([ascii('RIFF'), new Uint8Array(4), ascii('WEBP'), body, exif]);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

/**
 * The generated test photos: a JPEG at each size with the EXIF block (the 12 MP one is the big
 * strip input), a PNG with text chunks and eXIf, a WebP with EXIF.
 * @param {{label: string, width: number, height: number, canvas: OffscreenCanvas}[]} drawn
 */
async function makePhotos(drawn) {
  /** @type {{format: string, name: string, bytes: Uint8Array}[]} */
  const photos = [];
  for (const { label, width, height, canvas } of drawn) {
    const small = new OffscreenCanvas(160, 120);
    /** @type {OffscreenCanvasRenderingContext2D} */ (small.getContext('2d')).drawImage(canvas, 0, 0, 160, 120);
    const tiff = exifTiff(await encode(small, 'image/jpeg', 0.8));
    photos.push({ format: 'JPEG', name: `${label} JPEG`, bytes: withExifJpeg(await encode(canvas, 'image/jpeg', 0.95), tiff) });
    photos.push({ format: 'WebP', name: `${label} WebP`, bytes: withWebpExif(await encode(canvas, 'image/webp', 0.9), tiff, width, height) });
    // A 12 MP PNG is ~30 MB: the 1 MP one (a few MB with this noise) is enough.
    if (width * height > 2_000_000) continue;
    const text = (/** @type {string} */ key, /** @type {string} */ value) => /** @type {[string, Uint8Array]} */ (['tEXt', ascii(`${key}\0${value}`)]);
    photos.push({
      format: 'PNG', name: `${label} PNG`,
      bytes: withPngChunks(await encode(canvas, 'image/png'), [
        text('Author', 'Jane Doe'), text('Software', 'Camera 17.4.1'), text('Comment', 'At home, 12 rue de la Paix, Paris'),
        text('Creation Time', '2024:05:01 12:34:56'), ['eXIf', tiff],
      ]),
    });
  }
  return photos;
}

// ---- Inspect: analyze() against exifr ----

/**
 * @typedef {{format: string, files: number, bytes: number, wasmMs: number | null, exifrMs: number | null,
 *   notes: string[]}} InspectRow
 * @typedef {{format: string, name: string, bytes: Uint8Array}} BenchFile
 */

/**
 * The corpus photos the runner serves (none when the page is opened from `node scripts/serve.mjs`).
 * @returns {Promise<BenchFile[]>}
 */
async function corpusFiles() {
  const list = await fetch('/bench-corpus/list.json').catch(() => null);
  if (!list?.ok) return [];
  const entries = /** @type {{name: string, format: string, path: string}[]} */ (await list.json());
  return Promise.all(entries.map(async ({ name, format, path }) => ({
    name, format, bytes: new Uint8Array(await (await fetch(path)).arrayBuffer()),
  })));
}

/**
 * @param {Map<string, number>} counts
 * @param {string} key
 */
const bump = (counts, key) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** An error's message, cut short (exifr can put a whole array of numbers in one). */
const shortMessage = (/** @type {unknown} */ error) => {
  const text = String(/** @type {{message?: string}} */ (error)?.message ?? error);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

/** @param {Map<string, number>} counts */
const listCounts = (counts) => [...counts].map(([key, n]) => `${key} ×${n}`).join(', ');

/**
 * Times both readers on one set of files (each already in memory as a Uint8Array; both get the
 * same object). A file either one fails on is still parsed in every timed run (the failure is
 * part of handling it) and named in the notes.
 * @param {typeof import('exifr')} exifr
 * @param {string} format
 * @param {BenchFile[]} files
 * @returns {Promise<InspectRow>}
 */
async function inspectRow(exifr, format, files) {
  const wasmErrors = new Map();
  const exifrErrors = new Map();
  /** @type {string[]} */
  const wasmFailed = [];
  /** @type {string[]} */
  const exifrFailed = [];
  let exifrUnknown = 0;
  for (const { name, bytes } of files) {
    try {
      analyze(bytes);
    } catch (error) {
      bump(wasmErrors, /** @type {{code?: string}} */ (error)?.code ?? String(error));
      wasmFailed.push(name);
    }
    try {
      const output = await exifr.parse(bytes, EXIFR_OPTIONS);
      for (const e of output?.errors ?? []) bump(exifrErrors, `error in output: ${shortMessage(e)}`);
      if (output?.errors?.length) exifrFailed.push(name);
    } catch (error) {
      const message = shortMessage(error);
      if (message.includes('Unknown file format')) exifrUnknown += 1;
      bump(exifrErrors, `threw: ${message}`);
      exifrFailed.push(name);
    }
  }
  const wasmReads = wasmErrors.get('unsupported-format') !== files.length;
  const exifrReads = exifrUnknown !== files.length;
  const notes = [];
  if (!wasmReads) notes.push('engine: unsupported-format (not read in this version)');
  else if (wasmErrors.size) notes.push(`engine coded errors (handled): ${listCounts(wasmErrors)} — ${wasmFailed.join(', ')}`);
  if (!exifrReads) notes.push('exifr: Unknown file format');
  else if (exifrErrors.size) notes.push(`exifr errors: ${listCounts(exifrErrors)} — ${exifrFailed.join(', ')}`);
  const readAll = () => {
    for (const { bytes } of files) {
      try { analyze(bytes); } catch { /* counted above */ }
    }
  };
  const exifrAll = async () => {
    for (const { bytes } of files) {
      try { await exifr.parse(bytes, EXIFR_OPTIONS); } catch { /* counted above */ }
    }
  };
  let wasmMs = null;
  let exifrMs = null;
  if (wasmReads && exifrReads) [wasmMs, exifrMs] = await timeBoth(readAll, exifrAll);
  else if (wasmReads) wasmMs = await timeEach(readAll);
  else if (exifrReads) exifrMs = await timeEach(exifrAll);
  return { format, files: files.length, bytes: files.reduce((n, f) => n + f.bytes.length, 0), wasmMs, exifrMs, notes };
}

/** Rows in this order; formats not listed come last. */
const FORMAT_ORDER = ['JPEG', 'PNG', 'WebP', 'HEIC', 'TIFF', 'GIF'];

/**
 * @param {typeof import('exifr')} exifr
 * @param {BenchFile[]} corpus
 * @param {BenchFile[]} generated
 */
async function inspectAll(exifr, corpus, generated) {
  /** @type {InspectRow[]} */
  const rows = [];
  /** @type {string[]} */
  const bothRead = [];
  // Warm both readers up on every file first, so the first row timed is not the one that pays
  // for V8 tiering up exifr's code (and the engine's).
  for (let i = 0; i < WARM_UP; i += 1) {
    for (const { bytes } of [...corpus, ...generated]) {
      try { analyze(bytes); } catch { /* counted per row */ }
      try { await exifr.parse(bytes, EXIFR_OPTIONS); } catch { /* counted per row */ }
    }
  }
  for (const [source, files] of /** @type {const} */ ([['corpus', corpus], ['generated', generated]])) {
    const formats = [...new Set(files.map((f) => f.format))]
      .sort((a, b) => (FORMAT_ORDER.indexOf(a) >>> 0) - (FORMAT_ORDER.indexOf(b) >>> 0));
    for (const format of formats) {
      const subset = files.filter((f) => f.format === format);
      const row = await inspectRow(exifr, `${format} (${source})`, subset);
      if (source === 'generated') row.notes.unshift(`files: ${subset.map((f) => `${f.name} (${f.bytes.length} bytes)`).join(', ')}`);
      rows.push(row);
      if (source === 'corpus' && row.wasmMs !== null && row.exifrMs !== null) bothRead.push(format);
    }
  }
  const jpegs = corpus.filter((f) => f.format === 'JPEG');
  if (jpegs.length) rows.push(await floorRow(exifr, jpegs));
  if (bothRead.length > 1) {
    const all = await inspectRow(exifr, `all corpus ${bothRead.join('+')}`, corpus.filter((f) => bothRead.includes(f.format)));
    all.notes = ['the corpus files of every format both read, timed together'];
    rows.push(all);
  }
  if (corpus.length === 0) {
    rows.push({ format: 'corpus', files: 0, bytes: 0, wasmMs: null, exifrMs: null, notes: ['not served (scripts/bench-browser.mjs serves ../shared/corpus when it exists)'] });
  }
  return rows;
}

/**
 * The least analyze() can take on these JPEGs: it is timed on their stripped copies, where nothing
 * is left to report but every byte must still be copied into the engine and read (data hidden
 * after the image is only found that way), against exifr on the originals (it reads the metadata
 * segments only). The ratio is the most any speed of parsing could reach on these files.
 * @param {typeof import('exifr')} exifr
 * @param {BenchFile[]} jpegs
 * @returns {Promise<InspectRow>}
 */
async function floorRow(exifr, jpegs) {
  /** @type {{original: Uint8Array, stripped: Uint8Array}[]} */
  const pairs = [];
  for (const { bytes } of jpegs) {
    try { pairs.push({ original: bytes, stripped: strip(bytes) }); } catch { /* not strippable: left out */ }
  }
  const readStripped = () => {
    for (const { stripped } of pairs) analyze(stripped);
  };
  const exifrOriginals = async () => {
    for (const { original } of pairs) {
      try { await exifr.parse(original, EXIFR_OPTIONS); } catch { /* counted in the JPEG row */ }
    }
  };
  readStripped(); // a stripped copy the engine cannot read again would be a bug: let it throw
  const [wasmMs, exifrMs] = await timeBoth(readStripped, exifrOriginals);
  return {
    format: 'JPEG (corpus), floor',
    files: pairs.length,
    bytes: pairs.reduce((n, p) => n + p.stripped.length, 0),
    wasmMs,
    exifrMs,
    notes: ['engine: analyze() on the stripped copies (nothing to report; every byte still copied in and read, to find data after the image); exifr: the originals. The ratio is the most any parsing speed could reach on these files'],
  };
}

// ---- Strip throughput ----

/**
 * @typedef {{file: string, bytes: number, outBytes: number, ms: number, mbPerSecond: number}} StripRow
 * @param {BenchFile[]} photos
 */
async function stripAll(photos) {
  /** @type {StripRow[]} */
  const rows = [];
  // The biggest photo of each format: the ~5 MB 12 MP JPEG and WebP, the 1 MP PNG.
  for (const format of ['JPEG', 'PNG', 'WebP']) {
    const photo = photos.filter((p) => p.format === format).sort((a, b) => b.bytes.length - a.bytes.length)[0];
    if (!photo) continue;
    const outBytes = strip(photo.bytes).length;
    const ms = await timeEach(() => strip(photo.bytes));
    rows.push({ file: photo.name, bytes: photo.bytes.length, outBytes, ms, mbPerSecond: photo.bytes.length / 1e6 / (ms / 1e3) });
  }
  return rows;
}

// ---- PDQ ----

/** @param {{label: string, width: number, height: number, canvas: OffscreenCanvas, image: ImageData}[]} drawn */
async function pdqAll(drawn) {
  /** @type {Record<string, Record<string, number>>} */
  const results = {};
  for (const { label, width, height, canvas, image } of drawn) {
    const jpeg = await encode(canvas, 'image/jpeg', 0.9);
    const blob = new Blob([jpeg], { type: 'image/jpeg' });
    results[label] = {
      // A view, not a copy: wasm-bindgen copies the bytes into wasm memory either way.
      'wasm PDQ hash alone (pixels in)': await time(() => pdqFromRgba(width, height, new Uint8Array(image.data.buffer))),
      'wasm hashImage on the JPEG (decode + PDQ + MD5 + SHA-256)': await time(() => hashImage(jpeg)),
      'browser decode of the JPEG to pixels (createImageBitmap + getImageData)': await time(async () => {
        const bitmap = await createImageBitmap(blob);
        const c = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (c.getContext('2d'));
        ctx.drawImage(bitmap, 0, 0);
        ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      }),
      'WebCrypto SHA-256 of the JPEG': await time(() => crypto.subtle.digest('SHA-256', jpeg)),
      'JPEG size (KB)': Math.round(jpeg.length / 1024),
    };
  }
  return results;
}

async function run() {
  await init();
  // Not a static import: the URL is the server's route, not a path the type checker can follow.
  const exifr = /** @type {typeof import('exifr')} */ (await import(/** @type {string} */ (EXIFR_URL)));
  const drawn = SIZES.map(([label, width, height]) => ({ label, width, height, ...draw(width, height) }));
  const generated = await makePhotos(drawn);
  const corpus = await corpusFiles();
  return {
    inspect: await inspectAll(exifr, corpus, generated),
    strip: await stripAll(generated),
    pdq: await pdqAll(drawn),
  };
}

/** @param {string} id @param {(string | number)[][]} rows */
function fill(id, rows) {
  const tbody = /** @type {HTMLElement} */ (document.querySelector(`#${id} tbody`));
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const text of row) {
      const td = document.createElement('td');
      td.textContent = String(text);
      tr.append(td);
    }
    tbody.append(tr);
  }
}

/** @param {number | null} ms */
const msText = (ms) => (ms === null ? 'n/a' : ms.toFixed(3));

const status = /** @type {HTMLElement} */ (document.getElementById('status'));
run().then((results) => {
  /** @type {any} */ (window).benchResults = results;
  fill('inspect', results.inspect.map((r) => [
    r.format, r.files, r.bytes, msText(r.wasmMs), msText(r.exifrMs),
    r.wasmMs !== null && r.exifrMs !== null ? `${(r.exifrMs / r.wasmMs).toFixed(2)}×` : 'n/a', r.notes.join('; '),
  ]));
  fill('strip', results.strip.map((r) => [r.file, r.bytes, r.outBytes, r.ms.toFixed(3), r.mbPerSecond.toFixed(0)]));
  fill('pdq', Object.keys(results.pdq['1 MP'] ?? {}).map((row) => [row, ...SIZES.map(([label]) => (results.pdq[label]?.[row] ?? NaN).toFixed(1))]));
  status.textContent = 'Done.';
}, (error) => {
  /** @type {any} */ (window).benchResults = { error: String(error?.stack ?? error) };
  status.textContent = `Failed: ${error}`;
});
