// The shipped wasm engine (pkg/, the release build the extension carries) against the PDQ
// reference vectors: every hash, quality and dihedral hash bit for bit, as natively.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'pdq');
const WASM = join(ROOT, 'pkg', 'sentinelle_bg.wasm');

test('the wasm engine computes the reference PDQ hashes bit for bit', async (t) => {
  if (!existsSync(WASM)) assert.fail('pkg/ is missing: run `make build` first');
  if (!existsSync(join(CORPUS, 'expected.csv'))) {
    t.skip('no ../shared/corpus/pdq here (a plain clone); the native tests and the wasm boundary test still run');
    return;
  }
  const engine = await import(join(ROOT, 'pkg', 'sentinelle.js'));
  engine.initSync({ module: readFileSync(WASM) });
  const [header, ...rows] = readFileSync(join(CORPUS, 'expected.csv'), 'utf8').trim().split(/\r?\n/);
  assert.equal(header?.split(',').slice(0, 5).join(','), 'file,width,height,quality,hash_orig');
  assert.ok(rows.length >= 20, 'the corpus has its reference rows');
  assert.ok(readdirSync(CORPUS).length > rows.length);
  for (const row of rows) {
    const [file, , , quality, ...hashes] = row.split(',');
    const result = engine.hashImage(readFileSync(join(CORPUS, /** @type {string} */ (file))));
    assert.equal(result.pdq.hash, hashes[0], `${file} hash`);
    assert.equal(result.pdq.quality, Number(quality), `${file} quality`);
    assert.deepEqual(result.pdq.dihedral, hashes, `${file} dihedral hashes`);
  }
  t.diagnostic(`${rows.length} reference images matched in wasm`);
});

test('the wasm engine reports PDQ distances and refuses malformed hashes with a code', async () => {
  const engine = await import(join(ROOT, 'pkg', 'sentinelle.js'));
  engine.initSync({ module: readFileSync(WASM) });
  const a = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
  const b = 'f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22';
  assert.equal(engine.pdqDistance(a, a), 0);
  assert.equal(engine.pdqDistance(a, b), 2);
  assert.throws(() => engine.pdqDistance(a, 'xyz'), (/** @type {any} */ e) => e.code === 'malformed');
});
