// check_archive_served.mjs — the npm `pmtiles` reader reads an archive THROUGH teselas
// (/archives/NAME.pmtiles, with its FetchSource: the range requests MapLibre's pmtiles://
// protocol makes) and from the file itself; both must give the same header, metadata and
// tiles at every address of the archive's zooms (up to z6), and /tiles/NAME/z/x/y.pbf must
// answer each address with the same bytes (or 204 where the archive has no tile).
//
//   node tests/tiles/check_archive_served.mjs ARCHIVE.pmtiles BASE_URL NAME [EXT]
//
// EXT is the tiles' extension at /tiles (pbf, or png for a PNG archive).
//
// Prints one JSON document: counts and the list of mismatches (empty when all agree).
import { openSync, readSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'browser', 'node_modules', 'package.json'));
let pm;
try {
  pm = await import(pathToFileURL(require.resolve('pmtiles')).href);
} catch {
  console.log('SKIP: npm pmtiles is not installed (npm ci in tests/browser)');
  process.exit(77);
}
const { PMTiles, FetchSource } = pm.PMTiles ? pm : pm.default;

// The file read at the offsets the reader asks for, as a static server would answer.
const localSource = (path) => {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    getKey: () => path,
    getBytes: async (offset, length) => {
      const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      readSync(fd, b, 0, b.length, offset);
      return { data: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) };
    },
  };
};

const [file, base, name, ext = 'pbf'] = process.argv.slice(2);
const served = new PMTiles(new FetchSource(`${base}/archives/${name}.pmtiles`));
const local = new PMTiles(localSource(file));
const strip = ({ etag, ...h }) => h; // the served header carries the server's ETag
const hs = await served.getHeader();
const hl = await local.getHeader();
const out = { header: strip(hl), header_same: isDeepStrictEqual(strip(hs), strip(hl)),
              metadata_same: isDeepStrictEqual(await served.getMetadata(), await local.getMetadata()),
              etag: hs.etag || null, addresses: 0, tiles: 0, mismatches: [] };
const bytes = (r) => (r && r.data ? Buffer.from(r.data) : null);
for (let z = hl.minZoom; z <= Math.min(hl.maxZoom, 6); z++) {
  for (let x = 0; x < 1 << z; x++) {
    for (let y = 0; y < 1 << z; y++) {
      out.addresses++;
      const a = bytes(await served.getZxy(z, x, y));
      const b = bytes(await local.getZxy(z, x, y));
      const resp = await fetch(`${base}/tiles/${name}/${z}/${x}/${y}.${ext}`);
      const t = resp.status === 200 ? Buffer.from(await resp.arrayBuffer()) : null;
      if (b) out.tiles++;
      const same = (x1, x2) => (!x1 && !x2) || (x1 && x2 && x1.equals(x2));
      if (!same(a, b) || !same(t, b) || (!b && resp.status !== 204))
        out.mismatches.push({ z, x, y, served: a && a.length, file: b && b.length,
                              tile: resp.status, tile_len: t && t.length });
    }
  }
}
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
