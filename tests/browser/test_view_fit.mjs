// test_view_fit.mjs — a map opened on a layer shows the layer, even when the style that draws it
// best starts drawing it only from some zoom on. A city's own `colonias` (CentroGeo's CDMX
// colonias, tests/data/centrogeo, Apache-2.0) is drawn by the demo's hand-made style, which draws
// colonias from zoom 11: the catalog links the layer to that style, and a view fitted to the
// whole layer (zoom ~10) used to draw nothing ("nothing in this view: zoom out", the wrong advice).
// In Chromium: the catalog's map link opens where the layer is drawn, with at least 90 % of the
// features the features API counts in the view; zoomed out past that zoom, the status line says
// from which zoom the layer is drawn and to zoom in; the embed of that map opens drawing it too,
// and so does its raster fallback (Leaflet and PNG tiles, for browsers without WebGL), which used
// to fit the whole layer and show blank tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, countItems, imageStats, loadPlaywright, shot, startServer, waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'centrogeo/criminologia_capas_subset.gpkg');

test('a layer a style draws only from zoom 11 opens where it is drawn', { timeout: 600000 }, async () => {
  const srv = await startServer((db) => {
    execFileSync(TESELAS, ['import', SRC, '--db', db, '--layer', 'colonias', '--source-layer', 'colonias',
      '--quiet'], { stdio: 'ignore' });
  });
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 }, locale: 'es-MX' });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/`);
    const href = await page.getAttribute('article[aria-labelledby="h-colonias"] a[href^="/maps/"]', 'href');
    assert.ok(href, 'the catalog has no map link for colonias');
    await page.goto(srv.base + href);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const { from, zoom, box } = await page.evaluate(() => {
      const { map, groups, style } = window.teselas;
      const ids = groups.get('colonias') || [];
      const mins = style.layers.filter((sl) => ids.includes(sl.id)).map((sl) => sl.minzoom || 0);
      const b = map.getBounds();
      return { from: Math.min(...mins), zoom: map.getZoom(), box: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
    });
    assert.ok(from > 0, `${href}: its style draws colonias at every zoom; this test needs one that does not`);
    assert.ok(zoom >= from, `${href} opened at zoom ${zoom}, below ${from}, where the style draws colonias`);
    const status = await page.textContent('#status');
    const drawn = Number(/colonias \(([\d,.]+) elementos?\)/.exec(status)?.[1].replace(/[,.]/g, ''));
    const expected = await countItems(srv.base, 'colonias', box);
    assert.ok(expected > 0, `no colonia in the view ${box}`);
    assert.ok(drawn >= 0.9 * expected, `status: ${status}; ${expected} in view by the features API`);
    await shot(page, 'view-fit');
    await page.evaluate((z) => window.teselas.map.jumpTo({ zoom: z }), from - 1.5);
    await page.waitForFunction((z) => document.getElementById('status').textContent
      .includes(`colonias se dibuja desde el zoom ${z}`), Math.ceil(from), { timeout: 60000 });
    // the embed of the same map opens where the layer is drawn too
    await page.goto(srv.base + href.replace(/^\/maps\//, '/embed/'));
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const embedded = await page.textContent('#status');
    assert.ok(/colonias \([\d,.]+ elementos?\)/.test(embedded), `embed status: ${embedded}`);
    assert.deepEqual(problems, []);
    // the embed without WebGL: Leaflet's 256-px PNG tiles at zoom z draw the style's zoom z - 1
    const ctx = await browser.newContext({ viewport: { width: 900, height: 700 }, locale: 'es-MX' });
    await ctx.addInitScript(() => {
      const orig = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return /webgl/i.test(kind) ? null : orig.call(this, kind, ...rest);
      };
    });
    const raster = await ctx.newPage();
    const rasterProblems = watch(raster, [srv.base]);
    await raster.goto(srv.base + href.replace(/^\/maps\//, '/embed/'));
    assert.equal(await waitForMap(raster, ['raster', 'none'], 120000), 'raster');
    const rz = await raster.evaluate(() => window.teselas.view().zoom);
    assert.ok(rz - 1 >= from, `the raster embed opened at Leaflet zoom ${rz} (style zoom ${rz - 1}), below ${from}`);
    await raster.waitForFunction(() => [...document.querySelectorAll('img.leaflet-tile')]
      .every((i) => i.complete), null, { timeout: 120000 });
    const stats = await imageStats(raster, 'img.leaflet-tile');
    assert.ok(stats.some((s) => s.colours > 2 && s.sd > 2), `the raster embed's tiles are blank: ${JSON.stringify(stats)}`);
    await shot(raster, 'view-fit-raster');
    assert.deepEqual(rasterProblems, []);
    await ctx.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
