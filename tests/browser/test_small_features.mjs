// test_small_features.mjs — the viewer's status line does not seem to lose features: León's 962
// colonias (GPL-3.0, ../shared/data/leon-colonias-areas-verdes) at the zoom that shows the whole
// city are drawn without the ones smaller than a pixel (the tiles of that zoom leave them out),
// and the line says how many those are. Checked in Chromium against the source file's count: the
// features drawn plus the ones the line names as too small make every colonia, and zoomed in to
// the layer's maxzoom the note is gone.
// And on SSP-CDMX's crimes (tests/data/cdmx-ssp, GPL-3.0) aggregated on a 500 m grid: the cells
// of the aggregate layer are all drawn at z7 and z8, where a cell is under a pixel of a 256-px
// tile (the tiles were empty there); the same cells imported as a plain polygon layer are left
// out at z8, all of them, and the line says they are smaller than a pixel ("acerque"), not that
// the view is empty ("aleje").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, countItems, loadPlaywright, openLayerMap, shot, startServer,
  waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const CRIMES = join(DATA, 'cdmx-ssp/crime-lat-long-2200.csv');

// the status line once the map, moved to `zoom` over the layer's centre, is idle again
async function statusAt(page, zoom) {
  await page.evaluate((z) => new Promise((done) => {
    const { map, cfg } = window.teselas;
    const b = cfg.layers[0].bounds;
    map.once('idle', () => setTimeout(done, 300));
    map.jumpTo({ center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: z });
  }), zoom);
  return page.textContent('#status');
}

test('aggregate cells are drawn at z7-z8; cells of a plain layer, all under a pixel, say zoom in',
  { timeout: 600000 }, async () => {
  const srv = await startServer((db, dir) => {
    const run = (args) => execFileSync(TESELAS, [...args, '--db', db, '--quiet'], { stdio: 'ignore' });
    run(['import', CRIMES, '--layer', 'delitos', '--title', 'Delitos', '--lat', 'lat', '--lon', 'long',
      '--privacy', 'aggregate:grid=500,k=2,by=crime,date=date']);
    // the published cells, as polygons of a layer without a policy
    const table = execFileSync('sqlite3', [db, "SELECT table_name FROM teselas_layers WHERE id = 'delitos'"])
      .toString().trim();
    const cells = join(dir, 'celdas.geojson');
    execFileSync('ogr2ogr', ['-f', 'GeoJSON', cells, db, table, '-select', 'celda,casos'], { stdio: 'ignore' });
    run(['import', cells, '--layer', 'celdas', '--title', 'Celdas', '--privacy', 'none']);
  });
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const cells = await countItems(srv.base, 'delitos');
    assert.ok(cells > 300, `the aggregate publishes ${cells} cells`);
    assert.equal(await countItems(srv.base, 'celdas'), cells);
    const page = await browser.newPage({ viewport: { width: 900, height: 700 }, locale: 'es-MX' });
    const problems = watch(page, [srv.base]);
    const number = (text, layer) => Number(new RegExp(`${layer} \\(([\\d,.]+) elementos?\\)`).exec(text)?.[1]
      .replace(/[,.]/g, ''));

    await page.goto(`${srv.base}/maps/delitos`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    for (const z of [7, 8]) { // MapLibre's zoom z shows the vector tiles of z
      const status = await statusAt(page, z);
      assert.equal(number(status, 'Delitos'), cells, `z${z}: ${status}`);
      assert.doesNotMatch(status, /menores que un píxel|Aleje/, `z${z}: ${status}`);
    }
    await shot(page, 'aggregate-z8');

    await page.goto(`${srv.base}/maps/celdas`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const small = await statusAt(page, 8);
    assert.match(small, new RegExp(`${cells} elementos de Celdas son menores que un píxel a este zoom y no se `
      + 'dibujan: acerque el mapa'), small);
    assert.doesNotMatch(small, /Aleje|no tienen elementos/, small);
    await shot(page, 'small-all-z8');
    const near = await statusAt(page, 10);
    assert.equal(number(near, 'Celdas'), cells, `z10: ${near}`);
    assert.doesNotMatch(near, /menores que un píxel/, `z10: ${near}`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});

// León's colonias are shared data (sharedDataOrSkip's folder): without them this case alone is
// skipped, after the case above has run on the repository's own data
const LEON = fileURLToPath(new URL('../../../shared/data/leon-colonias-areas-verdes/leon_colonias_msavi.geojson',
  import.meta.url));

test('the status line counts the colonias too small to draw',
  { timeout: 600000, skip: !existsSync(LEON) && `the shared third-party data is not here (${LEON})` }, async () => {
  const SRC = LEON;
  const total = JSON.parse(readFileSync(SRC, 'utf8')).features.length;
  const { page, problems, close } = await openLayerMap(SRC, 'colonias',
    { viewport: { width: 900, height: 700 } });
  try {
    const status = await page.textContent('#status');
    const drawn = Number(/\(([\d,.]+) elementos\)/.exec(status)?.[1].replace(/[,.]/g, ''));
    const small = Number(/([\d,.]+) elementos de [^.]* son menores que un píxel/.exec(status)?.[1].replace(/[,.]/g, ''));
    assert.ok(drawn > 0 && small > 0, `status: ${status}`);
    assert.equal(drawn + small, total, `status: ${status}`);
    await shot(page, 'small-features');
    // at the layer's maxzoom every colonia is in the tiles: no such note
    await page.evaluate(() => window.teselas.map.jumpTo({ center: [-101.68, 21.12], zoom: 16 }));
    await page.waitForFunction(() => !document.getElementById('status').textContent.includes('menores que un píxel'),
      null, { timeout: 60000 });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
