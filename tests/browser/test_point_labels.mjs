// test_point_labels.mjs — an automatic style names a point just below its circle, in the browser
// and in the PNGs alike: the CDMX wells (SACMEX, tests/data/cdmx-agua) on /maps/pozos at z15 in
// Chromium (MapLibre), and the server's static PNG of the same view. Around the well ALFONSO
// XIII, read from the pixels of each: the name's ink (dark grey) lies wholly below the circle's
// (coloured) rows and centred under it, and the two renderers put it at the same rows (±2 px).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, loadPlaywright, shot, startServer, waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'cdmx-agua/Pozos_Sacmex2.geojson');
const W = 160;
const H = 120;

// The rows and columns of circle and text pixels in a PNG (a data URL), relative to its centre,
// decoded by the page's own canvas.
async function inkAround(page, dataUrl) {
  return page.evaluate(async (url) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const box = () => ({ x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity, n: 0 });
    const circle = box();
    const text = box();
    const add = (b, x, y) => {
      b.n++;
      b.x0 = Math.min(b.x0, x); b.x1 = Math.max(b.x1, x);
      b.y0 = Math.min(b.y0, y); b.y1 = Math.max(b.y1, y);
    };
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = 4 * (y * c.width + x);
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        const spread = Math.max(r, g, b) - Math.min(r, g, b);
        const px = x - c.width / 2;
        const py = y - c.height / 2;
        if (spread > 40) add(circle, px, py);
        else if (Math.max(r, g, b) < 120) add(text, px, py);
      }
    }
    return { circle, text };
  }, dataUrl);
}

function expectBelow(where, { circle, text }) {
  assert.ok(circle.n > 20, `${where}: no circle (${JSON.stringify(circle)})`);
  assert.ok(text.n > 20, `${where}: no text (${JSON.stringify(text)})`);
  assert.ok(text.y0 > circle.y1, `${where}: text rows ${text.y0}..${text.y1} meet the circle's ${circle.y0}..${circle.y1}`);
  assert.ok(text.y0 - circle.y1 <= 8, `${where}: text from row ${text.y0}, far below the circle (to ${circle.y1})`);
  assert.ok(Math.abs(text.x0 + text.x1) <= 6, `${where}: text columns ${text.x0}..${text.x1} not centred under the point`);
}

test('a well is named just below its circle, by MapLibre and by the PNG renderer', { timeout: 600000 }, async () => {
  const well = JSON.parse(readFileSync(SRC, 'utf8')).features.find((f) => f.properties.NOMBRE === 'ALFONSO XIII');
  assert.ok(well, 'ALFONSO XIII is not in the wells file');
  const [lon, lat] = well.geometry.coordinates;
  const srv = await startServer((db) => {
    // CALLE holds street addresses: dropped, as a publisher would
    execFileSync(TESELAS, ['import', SRC, '--db', db, '--layer', 'pozos', '--drop', 'CALLE', '--quiet'], { stdio: 'ignore' });
  });
  let browser = null;
  try {
    const { chromium } = loadPlaywright();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/pozos#map=15/${lat}/${lon}`);
    assert.equal(await waitForMap(page, ['idle'], 180000), 'idle');
    const at = await page.evaluate(([x, y]) => {
      const m = window.teselas.map;
      const p = m.project([x, y]);
      const r = m.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, zoom: m.getZoom(), ratio: window.devicePixelRatio };
    }, [lon, lat]);
    assert.equal(at.zoom, 15);
    assert.equal(at.ratio, 1);
    const clip = { x: Math.round(at.x) - W / 2, y: Math.round(at.y) - H / 2, width: W, height: H };
    const browserPng = await page.screenshot({ clip });
    await shot(page, 'point-labels');
    const maplibre = await inkAround(page, `data:image/png;base64,${browserPng.toString('base64')}`);
    const res = await fetch(`${srv.base}/styles/pozos/static/${lon},${lat},15/${W}x${H}.png`);
    assert.equal(res.status, 200);
    const png = Buffer.from(await res.arrayBuffer());
    const server = await inkAround(page, `data:image/png;base64,${png.toString('base64')}`);
    expectBelow('MapLibre', maplibre);
    expectBelow('PNG', server);
    assert.ok(Math.abs(maplibre.text.y0 - server.text.y0) <= 2 && Math.abs(maplibre.text.y1 - server.text.y1) <= 2,
      `text rows: MapLibre ${maplibre.text.y0}..${maplibre.text.y1}, PNG ${server.text.y0}..${server.text.y1}`);
    assert.deepEqual(problems, []);
  } finally {
    if (browser) await browser.close();
    await srv.stop();
  }
});
