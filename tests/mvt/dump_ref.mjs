// dump_ref.mjs — vector tiles decoded by npm @mapbox/vector-tile + pbf (what MapLibre uses), in
// the canonical JSON of mvt_dump.c, so tests/http/test_mvt_decode.sh compares the two readings:
//
//   node tests/mvt/dump_ref.mjs TILE.pbf...   → one JSON document a line, per file
//
// {"layers": {NAME: {"version", "extent", "features": [{"id", "type", "props", "parts"}]}}}
// with parts as loadGeometry() returns them (rings closed by the decoder's copy of the first
// point). A gzip'd file is inflated first. The node_modules come from tests/browser.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.TESELAS_NODE_MODULES || join(here, '..', 'browser', 'node_modules');
const require = createRequire(join(nodeModules, 'package.json'));
const { VectorTile } = await import(pathToFileURL(require.resolve('@mapbox/vector-tile')).href);
const { PbfReader: Pbf } = await import(pathToFileURL(require.resolve('pbf')).href);

for (const path of process.argv.slice(2)) {
  let data = readFileSync(path);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const tile = new VectorTile(new Pbf(data));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const parts = f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]));
      features.push({ id: f.id === undefined ? null : f.id, type: f.type,
                      props: f.properties, parts });
    }
    layers[name] = { version: layer.version, extent: layer.extent, features };
  }
  console.log(JSON.stringify({ file: path, layers }));
}
