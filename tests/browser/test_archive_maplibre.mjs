// test_archive_maplibre.mjs — a PMTiles archive written by `teselas seed`, drawn by MapLibre GL JS
// (npm) in Debian's Chromium through the `pmtiles://` protocol of the npm `pmtiles` package, the
// archive read with HTTP range requests from a small static server of this test (no teselas
// server involved: static hosting). queryRenderedFeatures must find the parks the archive holds,
// with their fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { CHROMIUM, CHROMIUM_ARGS, TESELAS, buildDemo, loadPlaywright, watch } from './lib.mjs';

const require = createRequire(import.meta.url);
const MAPLIBRE_DIST = dirname(require.resolve('maplibre-gl/dist/maplibre-gl.mjs'));
// the browser build (a global `pmtiles`, fflate inside), beside the package's CommonJS entry
const PMTILES_JS = join(dirname(require.resolve('pmtiles')), '..', 'pmtiles.js');

const PAGE = `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Archivo</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/lib/maplibre-gl.css">
<script src="/pmtiles.js"></script></head><body style="margin:0">
<div id="map" style="width:512px;height:512px"></div>
<script type="module">
import * as maplibregl from '/lib/maplibre-gl.mjs';
const protocol = new pmtiles.Protocol();
maplibregl.addProtocol('pmtiles', protocol.tile);
const map = new maplibregl.Map({container: 'map', center: [-101.68, 21.12], zoom: 12,
  style: {version: 8, sources: {a: {type: 'vector', url: 'pmtiles://' + location.origin + '/leon.pmtiles'}},
          layers: [{id: 'parques', type: 'fill', source: 'a', 'source-layer': 'parques',
                    paint: {'fill-color': '#2a7'}}]}});
window.map = map;
map.on('idle', () => { document.documentElement.dataset.map = 'idle'; });
map.on('error', (e) => { document.documentElement.dataset.map = 'error:' + e.error.message; });
</script></body></html>`;

// Serves the page, the libraries and the archive, the archive with byte ranges as a static host.
function staticServer(archive) {
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(PAGE);
    }
    if (url.pathname === '/pmtiles.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(readFileSync(PMTILES_JS));
    }
    if (url.pathname.startsWith('/lib/') && /^[\w.-]+$/.test(url.pathname.slice(5))) {
      const name = url.pathname.slice(5);
      const type = name.endsWith('.css') ? 'text/css' : 'text/javascript';
      try {
        const body = readFileSync(join(MAPLIBRE_DIST, name));
        res.writeHead(200, { 'Content-Type': type });
        return res.end(body);
      } catch { /* falls through to 404 */ }
    }
    if (url.pathname === '/leon.pmtiles') {
      const size = statSync(archive).size;
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
      const start = m ? Number(m[1]) : 0;
      const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      const body = Buffer.alloc(end - start + 1);
      const fd = openSync(archive, 'r');
      readSync(fd, body, 0, body.length, start);
      closeSync(fd);
      srv.ranges++;
      res.writeHead(m ? 206 : 200, { 'Content-Type': 'application/octet-stream',
        'Accept-Ranges': 'bytes', ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
      return res.end(body);
    }
    res.writeHead(404);
    res.end();
  });
  srv.ranges = 0;
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r(srv)));
}

test('MapLibre draws a seeded PMTiles archive through pmtiles://', { timeout: 300000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'teselas-archive-'));
  const db = join(dir, 'leon.db');
  const archive = join(dir, 'leon.pmtiles');
  buildDemo(db);
  execFileSync(TESELAS, ['seed', '--db', db, '--layers', 'parques,incidentes', '--zoom', '0-14',
    '--out', archive, '--quiet'], { stdio: 'inherit' });
  const srv = await staticServer(archive);
  const origin = `http://127.0.0.1:${srv.address().port}`;
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const problems = watch(page, [origin]);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.documentElement.dataset.map, null, { timeout: 90000 })
      .catch((e) => assert.fail(`the map never loaded (${e.message}): ${problems.join('; ')}`));
    const state = await page.evaluate(() => document.documentElement.dataset.map);
    assert.equal(state, 'idle');
    const found = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['parques'] })
      .map((f) => ({ layer: f.sourceLayer, nombre: f.properties.nombre })));
    assert.ok(found.length > 0, 'no park rendered');
    assert.ok(found.every((f) => f.layer === 'parques' && typeof f.nombre === 'string'));
    assert.ok(srv.ranges >= 2, `the archive was read with ${srv.ranges} range requests`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    srv.close();
    srv.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  }
});
