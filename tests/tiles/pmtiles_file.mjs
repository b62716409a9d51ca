// pmtiles_file.mjs — a PMTiles archive on disk read with the npm `pmtiles` package (the reader
// MapLibre uses through its pmtiles:// protocol), for the archive tests' Node scripts.
//
//   const { openArchive, load } = await import('./pmtiles_file.mjs');
//   const archive = await openArchive('a.pmtiles');   // a PMTiles object
//   const { VectorTile } = await load('@mapbox/vector-tile');
import { openSync, readSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'node_modules');

// load(NAME): an npm package installed for the browser tests.
export async function load(name) {
  const require = createRequire(join(nodeModules, 'package.json'));
  return import(pathToFileURL(require.resolve(name)).href);
}

// A pmtiles Source over a local file: the reader asks for byte ranges, as it would over HTTP.
class FileSource {
  constructor(path) {
    this.path = path;
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }
  getKey() { return this.path; }
  async getBytes(offset, length) {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const b = Buffer.alloc(n);
    readSync(this.fd, b, 0, n, offset);
    return { data: b.buffer.slice(b.byteOffset, b.byteOffset + n) };
  }
}

export async function openArchive(path) {
  const pm = await load('pmtiles');
  const PMTiles = pm.PMTiles || pm.default.PMTiles;
  return new PMTiles(new FileSource(path));
}
