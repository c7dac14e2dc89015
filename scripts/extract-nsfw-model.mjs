// Writes nsfwjs's MobileNetV2 (npm nsfwjs 4.4.0, MIT; the GantMan nsfw_model) as plain files the
// engine compiles in: models/nsfw_mobilenet_v2/model.json (Keras topology + weights manifest,
// weights uint8-quantised) and weights.bin. nsfwjs ships them as JS modules (base64 inside), so
// this only unwraps them; nothing is converted. Prints the SHA-256 of both for models/README.md.
// Usage: node scripts/extract-nsfw-model.mjs   (after npm ci)
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'node_modules', 'nsfwjs', 'dist', 'models', 'mobilenet_v2');
const model = require(join(dir, 'model.min.js'));
const shard = require(join(dir, 'group1-shard1of1.min.js'));
const weights = Buffer.from(typeof shard === 'string' ? shard : shard.default, 'base64');
const json = `${JSON.stringify({ modelTopology: model.modelTopology, weightsManifest: model.weightsManifest })}\n`;
const out = join(root, 'models', 'nsfw_mobilenet_v2');
writeFileSync(join(out, 'model.json'), json);
writeFileSync(join(out, 'weights.bin'), weights);
const sha = (/** @type {Buffer | string} */ b) => createHash('sha256').update(b).digest('hex');
console.log(`model.json  ${Buffer.byteLength(json)} bytes  sha256 ${sha(json)}`);
console.log(`weights.bin ${weights.length} bytes  sha256 ${sha(weights)}`);
