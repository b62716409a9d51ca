// test_status_count.mjs — the status line counts each drawn feature once. A point layer drawn as
// clusters (2,153 CDMX crime points, tests/data/cdmx-ssp, GPL-3.0) is drawn by a circle and by
// the symbol that writes its count: the status line added every cluster's count twice, so a city's
// 124,256 crimes were "248,200 elementos". In Chromium: the viewer and the embed of the layer's
// automatic style say no more features than the layer has, and at least 90 % of those the
// features API counts in the view; every cluster circle drawn has its count drawn (overlapping
// circles lost theirs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, countItems, loadPlaywright, shot, startServer, waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'cdmx-ssp/crime-lat-long-2200.csv');

test('the status line counts clustered points once', { timeout: 600000 }, async () => {
  const srv = await startServer((db) => {
    execFileSync(TESELAS, ['import', SRC, '--db', db, '--layer', 'delitos', '--title', 'Delitos',
      '--lat', 'lat', '--lon', 'long', '--privacy', 'none', '--quiet'], { stdio: 'ignore' });
  });
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const total = await countItems(srv.base, 'delitos');
    assert.ok(total > 1000, `the layer has ${total} features`);
    const page = await browser.newPage({ viewport: { width: 900, height: 700 }, locale: 'es-MX' });
    const problems = watch(page, [srv.base]);
    for (const path of ['/maps/delitos?layers=delitos', '/embed/delitos?layers=delitos']) {
      await page.goto(srv.base + path);
      assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
      const { clusters, box } = await page.evaluate(() => {
        const { map } = window.teselas;
        const b = map.getBounds();
        const hits = map.queryRenderedFeatures().filter((f) => f.properties.point_count);
        return { clusters: hits.length, box: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
      });
      assert.ok(clusters > 0, `${path}: no cluster drawn; this test needs clusters`);
      const status = await page.textContent('#status');
      const drawn = Number(/Delitos \(([\d,.]+) elementos?\)/.exec(status)?.[1].replace(/[,.]/g, ''));
      const inView = await countItems(srv.base, 'delitos', box);
      assert.ok(drawn <= total, `${path}: status "${status}" says more than the layer's ${total} features`);
      assert.ok(drawn >= 0.9 * inView, `${path}: status "${status}"; ${inView} in view by the features API`);
      if (path.startsWith('/maps/')) {
        // the data table never says fewer features in the view than the features API counts
        // (above 1,000 matches the API leaves numberMatched out: the table said its page's 200)
        await page.click('#table-button');
        await page.waitForFunction(() => document.getElementById('data-table')?.dataset.state === 'ready');
        const caption = await page.textContent('#data-table caption');
        const said = /(?:de|of) ([\d,.]+) elementos|: ([\d,.]+) elementos en la vista/.exec(caption);
        const n = said && Number((said[1] || said[2]).replace(/[,.]/g, ''));
        assert.ok(n === null || n >= inView, `${path}: the table says "${caption}"; ${inView} in view by the features API`);
        assert.ok(n !== null || /primeros/.test(caption), `${path}: the table says "${caption}"`);
      }
      await shot(page, `status-count${path.startsWith('/embed') ? '-embed' : ''}`);
      // one zoom out, where circles touch: every cluster circle drawn inside the view has its
      // count drawn (MapLibre returns only the symbols it placed)
      const { circles, unnumbered } = await page.evaluate(async () => {
        const { map } = window.teselas;
        await new Promise((done) => { map.once('idle', done); map.jumpTo({ zoom: map.getZoom() - 1 }); });
        const key = (f) => f.geometry.coordinates.map((c) => c.toFixed(6)).join(',');
        const c = map.getCanvas();
        const inside = (f) => {
          const p = map.project(f.geometry.coordinates);
          return p.x > 20 && p.y > 20 && p.x < c.clientWidth - 20 && p.y < c.clientHeight - 20;
        };
        const hits = map.queryRenderedFeatures().filter((f) => f.properties.point_count);
        const counted = new Set(hits.filter((f) => f.layer.type === 'symbol').map(key));
        const round = hits.filter((f) => f.layer.type === 'circle' && inside(f));
        return { circles: round.length, unnumbered: round.filter((f) => !counted.has(key(f))).length };
      });
      assert.ok(circles > 1, `${path}: ${circles} cluster circles drawn one zoom out; this check needs several`);
      assert.equal(unnumbered, 0, `${path}: ${unnumbered} of ${circles} cluster circles drawn without their count`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
