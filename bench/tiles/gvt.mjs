// gvt.mjs — the in-memory JavaScript peer: geojson-vt slices a GeoJSON file and vt-pbf encodes
// each tile of the benchmark's tile list, in the list's order, zoom by zoom.
//
//   node --max-old-space-size=16000 bench/tiles/gvt.mjs GEOJSON LAYER TILES.txt [SECONDS]
//
// Options are geojson-vt's defaults except maxZoom 16 (the deepest zoom of the list) and buffer
// 64 (teselas's): extent 4096, tolerance 3, indexMaxZoom 5, indexMaxPoints 100000. geojson-vt
// keeps every tile it slices, so a repeated tile of the list costs only its encoding: that is how
// it is used (its own cache), and it is why its memory grows with the tiles served.
// Each zoom runs until its tiles are done or SECONDS (default 20) have passed.
// Prints one JSON line: load time, RSS after load, peak RSS, and per zoom tiles, seconds, tiles/s,
// mean bytes, and stats: bytes and features of each distinct tile encoded ("z/x/y": [bytes, n]).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { default: GeoJSONVT } = await import('geojson-vt');
const vtpbf = require('vt-pbf');

const [file, layer, tilesFile, secondsArg] = process.argv.slice(2);
const budget = Number(secondsArg || 20);
const peakRss = () => {
  const m = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) * 1024 : 0;
};

const t0 = performance.now();
const data = JSON.parse(readFileSync(file, 'utf8'));
const index = new GeoJSONVT(data, { maxZoom: 16, buffer: 64, extent: 4096, tolerance: 3,
                                indexMaxZoom: 5, indexMaxPoints: 100000 });
const loadS = (performance.now() - t0) / 1000;
const rssAfterLoad = process.memoryUsage().rss;

const tiles = readFileSync(tilesFile, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
const zooms = {};
for (const z of [...new Set(tiles.map((t) => t[0]))]) {
  const list = tiles.filter((t) => t[0] === z);
  let n = 0, bytes = 0;
  const stats = {};
  const start = performance.now(), cpu0 = process.cpuUsage();
  for (const [tz, x, y] of list) {
    const tile = index.getTile(tz, x, y);
    const len = tile ? vtpbf.fromGeojsonVt({ [layer]: tile }, { version: 2, extent: 4096 }).length : 0;
    bytes += len;
    stats[`${tz}/${x}/${y}`] = [len, tile ? tile.features.length : 0];
    n++;
    if ((performance.now() - start) / 1000 > budget) break;
  }
  const s = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0), cpuS = (cpu.user + cpu.system) / 1e6;
  zooms[z] = { tiles: n, seconds: +s.toFixed(3), tiles_per_s: +(n / s).toFixed(1),
               tiles_per_cpu_s: +(n / cpuS).toFixed(1),
               mean_bytes: Math.round(bytes / n), stats };
}
console.log(JSON.stringify({ layer, load_s: +loadS.toFixed(2), rss_after_load: rssAfterLoad,
                             rss_end: process.memoryUsage().rss, rss_peak: peakRss(), zooms }));
