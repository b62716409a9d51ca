// test_name_field.mjs — cards and search name a feature by a field with names in it. INEGI's
// municipios written by GDAL's LIBKML driver (tests/data/inegi, a multi-file KMZ) carry KML's own
// `Name`, empty in every placemark, beside `nom_agem`: the search asked the features API for
// `Name LIKE '%Huanímaro%'` and found nothing, and a card was titled by the municipio's code. In
// Chromium: searching a municipio by its name (from the KMZ read by GDAL, in tests/data/inegi/
// SOURCE.md) finds it, and its result and card carry that name. Zoomed out below the layer's
// first tile zoom, the status line says from which zoom it is drawn (it said to zoom out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM, CHROMIUM_ARGS, TESELAS, loadPlaywright, shot, startServer, waitForMap, watch } from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'inegi/AGEM_11_libkml_3mun.kmz');

test('a municipio is found and named by its name, not by KML\'s empty Name', { timeout: 600000 }, async () => {
  const srv = await startServer((db) => {
    execFileSync(TESELAS, ['import', SRC, '--db', db, '--layer', 'municipios', '--title', 'Municipios', '--quiet'],
      { stdio: 'ignore' });
  });
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 750 }, locale: 'es-MX' });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/municipios?layers=municipios`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    await page.fill('#search-text', 'Huanímaro');
    await page.press('#search-text', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#search-results button.result').length > 0 ||
      /ning|no se/i.test(document.getElementById('search-status').textContent), null, { timeout: 60000 });
    const results = await page.$$eval('#search-results button.result', (bs) => bs.map((b) => b.textContent));
    assert.ok(results.some((r) => r.startsWith('Huanímaro')), `search results: ${JSON.stringify(results)}; ` +
      `status: ${await page.textContent('#search-status')}`);
    await page.click('#search-results button.result');
    await page.waitForSelector('.maplibregl-popup .feature-title', { timeout: 60000 });
    assert.equal((await page.textContent('.maplibregl-popup .feature-title')).trim(), 'Huanímaro');
    await shot(page, 'name-field');
    // zoomed out below the layer's first tile zoom nothing is drawn: the status says to zoom in
    // (it said "zoom out or move the map")
    const from = await page.evaluate(() => window.teselas.cfg.byId.get('municipios').minzoom);
    assert.ok(from > 1, `the layer's tiles start at zoom ${from}; this check needs a later zoom`);
    await page.evaluate((z) => window.teselas.map.jumpTo({ zoom: z }), from - 1.5);
    await page.waitForFunction((z) => document.getElementById('status').textContent
      .includes(`Municipios se dibuja desde el zoom ${z}`), from, { timeout: 60000 })
      .catch(async () => assert.fail(`status at zoom ${from - 1.5}: ${await page.textContent('#status')}`));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
