// compare_archives.mjs — the tiles two PMTiles archives hold differently, read with the npm
// `pmtiles` package (an independent reader), for the incremental-seed tests.
//
//   node tests/tiles/compare_archives.mjs OLD.pmtiles NEW.pmtiles ADDRESSES.txt [THIRD.pmtiles]
//
// ADDRESSES.txt holds "z x y" lines (computed by the test on its own). For every address the tile
// of OLD and of NEW (decompressed by the package; absent counts as empty) are compared. Output, one
// JSON document: n_addresses, `differ` (the "z/x/y" whose tiles differ, in the file's order), and
// with THIRD the addresses where THIRD's tile is not NEW's (`third_vs_new`: empty when THIRD holds
// exactly NEW's tiles), plus the count of tiles each archive holds among the addresses.
import { readFileSync } from 'node:fs';
import { openArchive } from './pmtiles_file.mjs';

const [oldPath, newPath, addrFile, thirdPath] = process.argv.slice(2);
const archives = await Promise.all([oldPath, newPath, thirdPath].filter(Boolean).map(openArchive));
const addresses = readFileSync(addrFile, 'utf8').trim().split('\n').filter(Boolean)
  .map((l) => l.trim().split(/\s+/).map(Number));
const out = { n_addresses: addresses.length, differ: [], third_vs_new: [], n_tiles: archives.map(() => 0) };
const same = (a, b) => (a ? Buffer.from(a) : Buffer.alloc(0)).equals(b ? Buffer.from(b) : Buffer.alloc(0));
for (const [z, x, y] of addresses) {
  const tiles = [];
  for (let i = 0; i < archives.length; i++) {
    const t = await archives[i].getZxy(z, x, y);
    tiles.push(t ? t.data : null);
    if (t) out.n_tiles[i]++;
  }
  if (!same(tiles[0], tiles[1])) out.differ.push(`${z}/${x}/${y}`);
  if (archives.length > 2 && !same(tiles[2], tiles[1])) out.third_vs_new.push(`${z}/${x}/${y}`);
}
console.log(JSON.stringify(out));
