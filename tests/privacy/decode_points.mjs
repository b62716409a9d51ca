// decode_points.mjs — every position and property of many vector tiles, decoded with third-party
// code (npm @mapbox/vector-tile + pbf, what MapLibre uses) back to lon/lat, for the privacy leak
// test (tests/http/test_privacy_leak.sh).
//
//   node tests/privacy/decode_points.mjs LIST.txt > decoded.jsonl
//
// LIST.txt has one "PATH Z X Y" per line; the output one JSON object per tile:
//   {"tile":"z/x/y","features":[{"layer","cluster","coords":[[lon,lat],...],"props":{...}}]}
// where coords are every vertex of the feature (points, line vertices, ring vertices) as
// toGeoJSON(x, y, z) computes them. The node_modules come from tests/browser.
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

function flatten(c, out) {
  if (typeof c[0] === 'number') out.push(c);
  else for (const x of c) flatten(x, out);
  return out;
}

for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [path, z, x, y] = line.trim().split(/\s+/);
  let bytes = readFileSync(path);
  if (bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const vt = new VectorTile(new Pbf(bytes));
  const features = [];
  for (const name of Object.keys(vt.layers)) {
    const layer = vt.layers[name];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const g = f.toGeoJSON(Number(x), Number(y), Number(z)).geometry;
      features.push({ layer: name, cluster: 'point_count' in f.properties,
                      coords: flatten(g.coordinates, []), props: f.properties });
    }
  }
  process.stdout.write(JSON.stringify({ tile: `${z}/${x}/${y}`, features }) + '\n');
}
