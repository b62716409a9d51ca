// test_codes.mjs — codes and ids are written as they are, only measures get thousands separators.
// Six León colonias (tests/data/leon-colonias, GPL-3.0) carry an integer key `gid` (19592…): the
// card and the data table wrote it "19,592", as they wrote a CVEGEO, a ZIP or a year. In
// Chromium: a colonia's card and the table's gid column read the digits the features API gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openLayerMap, shot } from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'leon-colonias/leon_colonias_msavi_6.geojson');

test('a card and the data table write a key without thousands separators', { timeout: 600000 }, async () => {
  const m = await openLayerMap(SRC, 'colonias', { viewport: { width: 1000, height: 700 } });
  try {
    const { page, srv } = m;
    const api = await (await fetch(`${srv.base}/collections/colonias/items?limit=100`)).json();
    const gids = api.features.map((f) => String(f.properties.gid)).sort();
    assert.equal(gids.length, 6, `the features API lists ${gids.length} colonias`);
    // a pixel where a colonia is drawn, clicked like a person
    const hit = await page.evaluate(() => {
      const map = window.teselas.map;
      const layers = window.teselas.groups.get('colonias').filter((l) => map.getLayer(l));
      const c = map.getCanvas();
      for (let y = 40; y < c.clientHeight - 40; y += 10) {
        for (let x = 40; x < c.clientWidth - 40; x += 10) {
          const fs = map.queryRenderedFeatures([x, y], { layers });
          if (fs.length) return { x, y, gid: fs[0].properties.gid };
        }
      }
      return null;
    });
    assert.ok(hit, 'no colonia drawn');
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    await page.locator('.maplibregl-popup').waitFor();
    const card = await page.$$eval('.maplibregl-popup dl > div',
      (ds) => Object.fromEntries(ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
    assert.equal(card.gid, String(hit.gid), `the card writes gid ${hit.gid} as "${card.gid}"`);
    await shot(page, 'codes-card');
    await page.click('#table-button');
    await page.selectOption('#table-layer', 'colonias');
    await page.waitForFunction(() => document.getElementById('data-table').dataset.state === 'ready');
    const column = await page.$$eval('#data-table thead th', (ths) => ths.map((th) => th.textContent.trim()));
    const at = column.findIndex((h) => h.startsWith('gid'));
    assert.ok(at >= 0, `no gid column: ${column}`);
    const cells = await page.$$eval(`#data-table tbody tr td:nth-child(${at + 1})`, (tds) => tds.map((td) => td.textContent));
    assert.ok(cells.length > 0, 'no row');
    for (const c of cells) assert.ok(gids.includes(c), `the table writes a gid as "${c}"; the API: ${gids}`);
    await shot(page, 'codes-table');
    assert.deepEqual(m.problems, []);
  } finally {
    await m.close();
  }
});
