// test_small_features.mjs — the viewer's status line does not seem to lose features: León's 962
// colonias (GPL-3.0, ../shared/data/leon-colonias-areas-verdes) at the zoom that shows the whole
// city are drawn without the ones smaller than a pixel (the tiles of that zoom leave them out),
// and the line says how many those are. Checked in Chromium against the source file's count: the
// features drawn plus the ones the line names as too small make every colonia, and zoomed in to
// the layer's maxzoom the note is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { openLayerMap, sharedDataOrSkip, shot } from './lib.mjs';

const SRC = sharedDataOrSkip('leon-colonias-areas-verdes/leon_colonias_msavi.geojson');

test('the status line counts the colonias too small to draw', { timeout: 600000 }, async () => {
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
