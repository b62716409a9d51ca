// check_archive.mjs — reads a PMTiles archive with the npm `pmtiles` package (the reader MapLibre
// uses through its pmtiles:// protocol) and compares it with the running server, printing one
// JSON document for the shell tests.
//
//   node tests/tiles/check_archive.mjs ARCHIVE.pmtiles URL_TEMPLATE ADDRESSES.txt
//
// URL_TEMPLATE is the server's tile URL with {z}/{x}/{y}; ADDRESSES.txt holds "z x y" lines (the
// addresses the test computed on its own). For every address: the archive's tile (decompressed
// by the package) must equal the server's answer byte for byte, or be absent where the server
// answers 204. Output: header, metadata, counts (addresses, tiles the server has, tiles found in
// the archive) and the list of mismatches (empty when the archive is right), and per layer the
// features summed over the archive's tiles of each zoom (decoded with @mapbox/vector-tile).
import { readFileSync } from 'node:fs';
import { load, openArchive } from './pmtiles_file.mjs';

const { VectorTile } = await load('@mapbox/vector-tile');
const { PbfReader: Pbf } = await load('pbf');

const [archivePath, template, addrFile] = process.argv.slice(2);
const p = await openArchive(archivePath);
const header = await p.getHeader();
const metadata = await p.getMetadata();
const addresses = readFileSync(addrFile, 'utf8').trim().split('\n').filter(Boolean)
  .map((l) => l.trim().split(/\s+/).map(Number));
const out = { header, metadata, n_addresses: addresses.length, n_server: 0, n_archive: 0,
              mismatches: [], features: {} };
const isMvt = header.tileType === 1;
for (const [z, x, y] of addresses) {
  const url = template.replace('{z}', z).replace('{x}', x).replace('{y}', y);
  const resp = await fetch(url);
  const server = resp.status === 200 ? Buffer.from(await resp.arrayBuffer()) : null;
  if (resp.status !== 200 && resp.status !== 204) throw new Error(`${url}: HTTP ${resp.status}`);
  const got = await p.getZxy(z, x, y);
  const tile = got && got.data ? Buffer.from(got.data) : null;
  if (server) out.n_server++;
  if (tile) out.n_archive++;
  const same = (!server && !tile) || (server && tile && Buffer.compare(server, tile) === 0);
  if (!same) out.mismatches.push({ z, x, y, server: server ? server.length : 204,
                                   archive: tile ? tile.length : null });
  if (tile && isMvt) {
    const vt = new VectorTile(new Pbf(tile));
    for (const name of Object.keys(vt.layers)) {
      const f = (out.features[name] ||= {});
      f[z] = (f[z] || 0) + vt.layers[name].length;
    }
  }
}
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
