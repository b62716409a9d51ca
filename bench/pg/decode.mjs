// decode.mjs — one tile from each side of bench/pg/run.sh decoded by @mapbox/vector-tile (tests/
// browser's node_modules), so "the same content" is checked by a decoder neither side wrote:
// per file, its layers with their feature count, geometry types, vertices and property keys.
//   node bench/pg/decode.mjs A.pbf B.pbf ...   -> one line per file
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/browser/package.json'));
const { VectorTile } = await import(pathToFileURL(require.resolve('@mapbox/vector-tile')).href);
const { PbfReader: Pbf } = await import(pathToFileURL(require.resolve('pbf')).href);
const TYPES = ['unknown', 'point', 'line', 'polygon'];

for (const file of process.argv.slice(2)) {
  const tile = new VectorTile(new Pbf(readFileSync(file)));
  const parts = Object.entries(tile.layers).map(([name, layer]) => {
    const types = new Set(), keys = new Set();
    let vertices = 0;
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      types.add(TYPES[f.type]);
      for (const ring of f.loadGeometry()) vertices += ring.length;
      for (const k of Object.keys(f.properties)) keys.add(k);
    }
    return `${name}: ${layer.length} features (${[...types].join('/') || '-'}), ${vertices} vertices, ` +
           `extent ${layer.extent}, keys ${[...keys].sort().join(',') || '-'}`;
  });
  console.log(`- ${file.split('/').slice(-1)[0]}: ${parts.join('; ') || 'empty tile'}`);
}
