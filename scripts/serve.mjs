// A local web server for the demo and the end-to-end tests. It serves www/ (and the wasm package
// at /pkg/), a strict-CSP copy of every page under /strict/, and records what an upload form
// really sent (POST /upload, multipart), so a test can compare the bytes with the original.
// Loopback only. Usage: node scripts/serve.mjs [port]
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STRICT_CSP = "script-src 'self'; object-src 'none'";
/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.jpg': 'image/jpeg',
  '.png': 'image/png', '.svg': 'image/svg+xml',
};
/**
 * Dev dependencies whose dist/ folder is served at /vendor/NAME/: the upload libraries the fixture
 * sites load, and exifr, which www/bench/ times the engine against.
 */
const VENDORED = ['dropzone', 'filepond', 'uppy', 'exifr'];
/** Uploads larger than this are refused (the demo has no reason to accept more). */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/**
 * @typedef {{field: string, name: string, type: string, size: number, sha256: string, bytes: Buffer}} ReceivedFile
 * @typedef {{path: string, files: ReceivedFile[], fields: Record<string, string>}} ReceivedUpload
 */

/**
 * Maps a URL path to a file under www/ or pkg/, refusing anything outside them.
 * @param {string} pathname
 */
function resolve(pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  // /pkg/ is the wasm package; /sites/ the end-to-end fixture sites; /vendor/NAME/ the browser
  // bundles of the upload libraries the fixture sites use (and exifr's, for www/bench/);
  // everything else www/.
  const [first, second] = clean.split(sep);
  /** @type {[string, string]} */
  let place;
  if (first === 'pkg') place = [join(root, 'pkg'), clean.slice(4)];
  else if (first === 'sites') place = [join(root, 'tests', 'e2e', 'sites'), clean.slice(6)];
  else if (first === 'vendor' && second && VENDORED.includes(second)) {
    place = [join(root, 'node_modules', second, 'dist'), clean.slice(`vendor/${second}/`.length)];
  } else place = [join(root, 'www'), clean];
  const [base, rel] = place;
  const full = join(base, rel.endsWith(sep) || rel === '' ? join(rel, 'index.html') : rel);
  return full.startsWith(base + sep) ? full : null;
}

/** @param {string} text */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * @typedef {{forms: Record<string, string>[], intakes: {contentType: string, text: string, origin: string}[]}} HelplineStub
 */

/**
 * @param {{port?: number}} [options]
 * @returns {Promise<{url: string, received: ReceivedUpload[], helpline: HelplineStub,
 *   serveFile: (path: string, bytes: Buffer, type: string) => void, close: () => Promise<void>}>}
 */
export async function startServer({ port = 0 } = {}) {
  /** @type {ReceivedUpload[]} */
  const received = [];
  /** A stand-in for a helpline: its form (GET, prefilled by query) and its JSON intake (POST). */
  /** @type {HelplineStub} */
  const helpline = { forms: [], intakes: [] };
  /** Files a test generated and serves at a path of its choice (e.g. the image to report). */
  /** @type {Map<string, {bytes: Buffer, type: string}>} */
  const extraFiles = new Map();
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const strict = url.pathname === '/strict' || url.pathname.startsWith('/strict/');
      const pathname = strict ? url.pathname.slice('/strict'.length) || '/' : url.pathname;
      const headers = strict ? { 'Content-Security-Policy': STRICT_CSP } : {};

      if (req.method === 'GET' && pathname === '/helpline-stub/form') {
        helpline.forms.push(Object.fromEntries(url.searchParams));
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><meta charset="utf-8"><title>Helpline form</title><h1>Helpline form (stub)</h1>');
        return;
      }
      if (req.method === 'POST' && pathname === '/helpline-stub/intake') {
        const chunks = [];
        for await (const chunk of req) chunks.push(chunk);
        const text = Buffer.concat(chunks).toString('utf8');
        helpline.intakes.push({ contentType: req.headers['content-type'] ?? '', text, origin: req.headers.origin ?? '' });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end('{"ok":true}');
        return;
      }
      const extra = extraFiles.get(pathname);
      if (req.method === 'GET' && extra) {
        res.writeHead(200, { 'Content-Type': extra.type });
        res.end(extra.bytes);
        return;
      }

      if (req.method === 'POST' && pathname === '/upload') {
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
          size += chunk.length;
          if (size > MAX_UPLOAD_BYTES) { res.writeHead(413).end('too large'); return; }
          chunks.push(chunk);
        }
        // Node's fetch implementation parses multipart bodies; no dependency needed.
        const form = await new Request('http://localhost/upload', {
          method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks),
        }).formData();
        /** @type {ReceivedUpload} */
        const upload = { path: url.pathname, files: [], fields: {} };
        for (const [field, value] of form.entries()) {
          if (typeof value === 'string') { upload.fields[field] = value; continue; }
          const bytes = Buffer.from(await value.arrayBuffer());
          if (bytes.length === 0 && value.name === '') continue; // an empty file input
          upload.files.push({
            field, name: value.name, type: value.type, size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'), bytes,
          });
        }
        received.push(upload);
        if (url.searchParams.get('format') === 'json') {
          res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
          res.end(JSON.stringify({ ok: true, files: upload.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })) }));
          return;
        }
        const items = upload.files.map((f) => `<li>${escapeHtml(f.name)} — ${f.size} bytes (${escapeHtml(f.type)})</li>`);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
        res.end(`<!doctype html><meta charset="utf-8"><title>Received</title><h1>The site received</h1>`
          + `<ul id="received">${items.join('') || '<li>no file</li>'}</ul><p><a href="./">Back</a></p>`);
        return;
      }

      const file = resolve(pathname);
      if (req.method !== 'GET' || !file) { res.writeHead(404).end('not found'); return; }
      const body = await readFile(file).catch(() => null);
      if (!body) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(undefined)));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    received,
    helpline,
    serveFile: (path, bytes, type) => { extraFiles.set(path, { bytes, type }); },
    // Never waits long: a test file's last hook must not hang on a connection a browser keeps.
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
      setTimeout(ok, 5_000).unref();
    }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startServer({ port: Number(process.argv[2] ?? 8710) });
  console.log(`Sentinelle demo on ${server.url}/ (strict CSP copy: ${server.url}/strict/)`);
}
