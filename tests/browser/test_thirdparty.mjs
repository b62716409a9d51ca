// test_thirdparty.mjs — the pages on a database made only from third-party files (tests/data,
// each with its SOURCE.md), with no style written by hand: INEGI's localities of León (points,
// categorical `ambito`), the SSP-CDMX police cuadrantes (polygons), CentroGeo's alcaldías
// (polygons) and 2,000 SSP-CDMX crimes published only as counts per 500 m cell (`--privacy
// aggregate`). For each layer, in Chromium: /maps/{layer} (its automatic style) reaches idle and
// draws at least 90 % of the features in view, counted independently (the features API by bbox,
// and for the localities the source CSV itself); the legend lists the categories or classes with
// their colours in words, readable as a list by a screen reader; a click opens the card; the data
// table and the charts work; /embed/{layer} draws it in an iframe of another origin and, without
// WebGL, shows non-blank PNG tiles; the catalog thumbnail is not flat; the status line says what
// is drawn and what has nothing in the view; no console error anywhere; axe-core finds no
// serious or critical violation. Nothing here is skipped: a missing route fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, axeSerious, countItems, imageStats, loadPlaywright, shot, startHostPage, startServer,
  waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));

// kind: what the legend must show (the automatic style's choice for this data); charts: the
// captions its charts must have (grouped by its own date and category fields).
const LAYERS = [
  { id: 'localidades', title: 'Localidades de León', file: 'inegi/AGLOC_11020_localidades.csv',
    args: [], kind: 'categories', field: 'ambito', charts: ['por ambito'] },
  { id: 'cuadrantes', title: 'Cuadrantes de policía', file: 'cdmx-ssp/cuadrantes_shp.zip', args: [] },
  { id: 'alcaldias', title: 'Alcaldías de la Ciudad de México', file: 'centrogeo/criminologia_capas_subset.gpkg',
    args: ['--source-layer', 'alcaldias'] },
  { id: 'delitos', title: 'Delitos por celda', file: 'cdmx-ssp/crime-lat-long-2000.csv',
    args: ['--lat', 'lat', '--lon', 'long', '--privacy', 'aggregate:grid=500,k=5,by=crime,date=date'],
    kind: 'classes', charts: ['por mes', 'por crime'] },
  // one well has no SISTEMA: drawn grey, and the legend's last entry names that grey "Sin dato"
  { id: 'pozos', title: 'Pozos de SACMEX', file: 'cdmx-agua/Pozos_Sacmex2.geojson', args: ['--drop', 'CALLE'],
    kind: 'categories', field: 'SISTEMA', rest: 'Sin dato' },
];

function buildThirdParty(db) {
  for (const l of LAYERS) {
    try {
      execFileSync(TESELAS, ['import', join(DATA, l.file), '--db', db, '--layer', l.id, '--title', l.title,
        ...l.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`import of ${l.file} failed: ${err.stderr}`);
    }
  }
}

let server;
let browser;

async function styleIds() {
  const r = await fetch(`${server.base}/styles`);
  assert.equal(r.status, 200);
  const doc = await r.json();
  return (Array.isArray(doc) ? doc : doc.styles || []).map((s) => s.id);
}

// A page must answer 200 before the browser waits for its map (a 404 would wait for nothing).
async function mustServe(path) {
  const r = await fetch(server.base + path);
  assert.equal(r.status, 200, `${path} answers ${r.status}`);
}

async function open(path, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 800 },
    locale: 'es-MX' });
  if (opts.noWebGL) {
    await context.addInitScript(() => {
      const orig = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return /webgl/i.test(kind) ? null : orig.call(this, kind, ...rest);
      };
    });
  }
  const page = await context.newPage();
  const problems = watch(page, [server.base]);
  await page.goto(server.base + path);
  return { page, problems, close: () => context.close() };
}

function jumpAndSettle(page, center, zoom) {
  return page.evaluate(([c, z]) => new Promise((resolve) => {
    const m = window.teselas.map;
    m.once('idle', resolve);
    m.jumpTo({ center: c, zoom: z });
    m.triggerRepaint();
  }), [center, zoom]);
}

// The features of one catalog layer the map draws (symbols aside), a cluster counting its cases.
function drawnCount(pageOrFrame, id) {
  return pageOrFrame.evaluate((layerId) => {
    const m = window.teselas.map;
    const layers = (window.teselas.groups.get(layerId) || []).filter((l) => m.getLayer(l));
    const seen = new Map();
    for (const f of m.queryRenderedFeatures({ layers })) {
      if (f.layer.type === 'symbol' || f.sourceLayer !== layerId) continue;
      const n = Number(f.properties.point_count) || 0;
      seen.set(`${n ? 'c' : 'f'}${f.id}`, n || 1);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }, id);
}

function viewBox(page) {
  return page.evaluate(() => {
    const b = window.teselas.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  });
}

// The localities in the box, read from the source CSV (quoted latitud/longitud columns).
function csvCount(box) {
  const lines = readFileSync(join(DATA, 'inegi/AGLOC_11020_localidades.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const ilat = head.indexOf('latitud'), ilon = head.indexOf('longitud');
  let n = 0;
  for (const line of lines.slice(1)) {
    const cols = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    const lat = Number(cols[ilat]), lon = Number(cols[ilon]);
    if (lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]) n++;
  }
  return n;
}

// A pixel of the map where a feature of the layer (not a label) is drawn, scanning a grid.
function pixelOf(page, id) {
  return page.evaluate((layerId) => {
    const m = window.teselas.map;
    const layers = window.teselas.groups.get(layerId).filter((l) => m.getLayer(l) && m.getLayer(l).type !== 'symbol');
    const c = m.getCanvas();
    for (let y = 40; y < c.clientHeight - 40; y += 10) {
      for (let x = 40; x < c.clientWidth - 40; x += 10) {
        if (m.queryRenderedFeatures([x, y], { layers }).length) return { x, y };
      }
    }
    return null;
  }, id);
}

before(async () => {
  server = await startServer(buildThirdParty);
  const { chromium } = loadPlaywright();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('styles of a third-party database', () => {
  test('/styles lists an automatic style per layer and none of the demo', async () => {
    const ids = await styleIds();
    for (const l of LAYERS) assert.ok(ids.includes(l.id), `no style ${l.id} in /styles: ${ids.join(', ')}`);
    assert.ok(!ids.includes('leon'), `the demo's style is listed on a database without its layers: ${ids.join(', ')}`);
  });
});

for (const L of LAYERS) {
  describe(`${L.id}: /maps/${L.id}`, () => {
    let v;
    before(async () => {
      await mustServe(`/maps/${L.id}`);
      v = await open(`/maps/${L.id}`);
      await waitForMap(v.page);
    });
    after(() => v?.close());

    test('reaches idle and draws at least 90 % of the features in view', async (t) => {
      const box = await viewBox(v.page);
      const expected = await countItems(server.base, L.id, box);
      const drawn = await drawnCount(v.page, L.id);
      t.diagnostic(`${L.id}: ${drawn} drawn, ${expected} in view by the features API`);
      assert.ok(expected > 0, `no feature of ${L.id} in the view ${box}`);
      assert.ok(drawn >= 0.9 * expected, `${L.id}: ${drawn} drawn of ${expected} in view`);
      if (L.id === 'localidades') {
        const fromCsv = csvCount(box);
        t.diagnostic(`${L.id}: ${fromCsv} in view by the source CSV`);
        assert.ok(drawn >= 0.9 * fromCsv, `${L.id}: ${drawn} drawn of ${fromCsv} in the source CSV`);
      }
      await shot(v.page, `thirdparty-${L.id}`);
      assert.deepEqual(v.problems, []);
    });

    test('lists only its own layer; the status line says it is drawn', async () => {
      const toggles = await v.page.$$eval('.layer-list input[type=checkbox]', (bs) => bs.map((b) => b.dataset.layer));
      assert.deepEqual(toggles, [L.id]);
      const status = await v.page.textContent('#status');
      assert.ok(status.includes(L.title), `status does not name the drawn layer: ${status}`);
      assert.ok(!/Capas visibles: \d+/.test(status), status);
    });

    test('the legend lists the categories or classes with their colours in words', async () => {
      const { page } = v;
      const metas = await page.evaluate((id) => window.teselas.style.layers
        .map((sl) => sl.metadata && sl.metadata['teselas:legend']).filter((m) => m && m.layer === id), L.id);
      assert.ok(metas.length > 0, `the style of ${L.id} has no teselas:legend metadata`);
      if (L.kind) assert.ok(metas.some((m) => m.kind === L.kind), `legend kinds ${metas.map((m) => m.kind)}, want ${L.kind}`);
      if (L.field) assert.ok(metas.some((m) => m.field === L.field), `legend fields ${metas.map((m) => m.field)}`);
      const items = metas.filter((m) => m.kind === 'categories' || m.kind === 'classes').flatMap((m) => m.items);
      if (!items.length) return;
      assert.ok(items.length >= 2, `${items.length} legend items`);
      const shown = await page.$$eval(`#legend-${L.id} li`, (lis) => lis.map((li) => li.textContent));
      for (const it of items) {
        assert.ok(shown.some((s) => s.includes(it.label) && /\(.+\)/.test(s)),
          `legend entry "${it.label}" missing or without its colour name: ${shown.join(' | ')}`);
      }
      if (L.rest) {
        assert.ok(items.at(-1).rest && shown.at(-1).includes(L.rest),
          `the last legend entry is not "${L.rest}": ${shown.join(' | ')}`);
      }
      // what a screen reader reads: a list, named after the layer, one item per class or category
      const tree = await page.locator(`#legend-${L.id}`).ariaSnapshot();
      assert.match(tree, /^- list/);
      assert.ok((tree.match(/- listitem/g) || []).length >= items.length, tree);
    });

    test('a click opens the card of a feature', async () => {
      const { page } = v;
      const hit = await pixelOf(page, L.id);
      assert.ok(hit, `no pixel of ${L.id} drawn`);
      const box = await page.locator('#map canvas').boundingBox();
      await page.mouse.click(box.x + hit.x, box.y + hit.y);
      const popup = page.locator('.maplibregl-popup');
      await popup.waitFor();
      assert.ok((await popup.textContent()).includes(L.title));
      await page.keyboard.press('Escape');
      assert.deepEqual(v.problems, []);
    });

    test('the data table lists features of the view', async () => {
      const { page } = v;
      await page.click('#table-button');
      await page.waitForFunction(() => document.getElementById('data-table').dataset.state === 'ready');
      assert.ok(await page.locator('#data-table tbody tr').count() > 0, 'no rows');
      await page.click('#table-button');
      assert.deepEqual(v.problems, []);
    });

    if (L.charts) {
      test('the charts group by the layer\'s own date and category fields', async () => {
        const { page } = v;
        await page.click('#charts-button');
        await page.waitForFunction(() => document.querySelector('.charts')?.dataset.state === 'ready');
        const figs = await page.$$eval('.charts figcaption', (f) => f.map((x) => x.textContent));
        for (const want of L.charts) assert.ok(figs.some((f) => f.includes(want)), `no chart "${want}": ${figs.join(' | ')}`);
        await shot(page, `thirdparty-${L.id}-charts`);
        await page.click('#charts-button');
        assert.deepEqual(v.problems, []);
      });
    }

    test('the embed code names a page that draws this layer', async () => {
      const { page } = v;
      await page.click('#embed-button');
      const code = await page.inputValue('#embed-code');
      const src = /src="([^"]+)"/.exec(code)[1].replace(/&amp;/g, '&');
      assert.ok(src.includes(`/embed/${L.id}?layers=${L.id}&`), src);
      await page.click('#embed-button');
    });

    test('says in plain Spanish when the layer has nothing in the view', async () => {
      const { page } = v;
      await jumpAndSettle(page, [-30, -40], 9); // the South Atlantic
      await page.waitForFunction(() => /no tienen elementos|Sin elementos/.test(document.getElementById('status').textContent));
      assert.ok((await page.textContent('#status')).includes(L.title));
      assert.deepEqual(v.problems, []);
    });
  });

  describe(`${L.id}: embed, fallback, thumbnail, accessibility`, () => {
    test(`/embed/${L.id} draws it inside an iframe of another origin`, async () => {
      await mustServe(`/embed/${L.id}`);
      const host = await startHostPage(`${server.base}/embed/${L.id}?layers=${L.id}&controls=1`);
      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      const page = await context.newPage();
      const problems = watch(page, [server.base, new URL(host.url).origin]);
      await page.goto(host.url);
      const frame = page.frame({ url: new RegExp(`/embed/${L.id}`) });
      assert.ok(frame, 'the iframe did not load the embed page');
      assert.equal(await waitForMap(frame), 'idle');
      assert.ok(await drawnCount(frame, L.id) > 0, `the embed draws nothing of ${L.id}`);
      await shot(page, `thirdparty-embed-${L.id}`);
      assert.deepEqual(problems, []);
      await context.close();
      await host.close();
    });

    test('without WebGL the embed shows non-blank PNG tiles', async () => {
      await mustServe(`/embed/${L.id}`);
      const e = await open(`/embed/${L.id}?layers=${L.id}`, { noWebGL: true });
      assert.equal(await waitForMap(e.page, ['raster', 'none']), 'raster');
      const stats = await imageStats(e.page, 'img.leaflet-tile');
      assert.ok(stats.length > 0, 'no PNG tile shown');
      assert.ok(stats.some((s) => s.colours > 2 && s.sd > 2), `every tile is flat: ${JSON.stringify(stats)}`);
      await shot(e.page, `thirdparty-no-webgl-${L.id}`);
      assert.deepEqual(e.problems, []);
      await e.close();
    });

    test('the catalog thumbnail is not flat and its map link draws the layer', async () => {
      const c = await open('/');
      const card = `article[aria-labelledby="h-${L.id}"]`;
      await c.page.locator(`${card} img.thumb`).scrollIntoViewIfNeeded();
      await c.page.waitForFunction((sel) => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth > 0; },
        `${card} img.thumb`);
      const [st] = await imageStats(c.page, `${card} img.thumb`);
      assert.ok(st && st.colours > 2 && st.sd > 2, `flat thumbnail of ${L.id}: ${JSON.stringify(st)}`);
      const href = await c.page.getAttribute(`${card} a[href^="/maps/"]`, 'href');
      assert.deepEqual(c.problems, []);
      await c.close();
      await mustServe(href);
      const m = await open(href);
      await waitForMap(m.page);
      assert.ok(await drawnCount(m.page, L.id) > 0, `${href} draws nothing of ${L.id}`);
      assert.deepEqual(m.problems, []);
      await m.close();
    });

    test(`the API's HTML page /collections/${L.id} loads without an error (its icon included)`, async () => {
      await mustServe(`/collections/${L.id}`);
      const p = await open(`/collections/${L.id}`);
      await p.page.waitForLoadState('networkidle');
      assert.deepEqual(p.problems, []);
      await p.close();
    });

    for (const path of [`/maps/${L.id}`, `/embed/${L.id}`]) {
      test(`axe-core: no serious or critical violation on ${path}`, async () => {
        await mustServe(path);
        const p = await open(path);
        await waitForMap(p.page);
        assert.deepEqual(await axeSerious(p.page), []);
        assert.deepEqual(p.problems, []);
        await p.close();
      });
    }
  });
}

describe('the map of every layer', () => {
  test('the first style /styles lists draws every layer, context unlisted', async () => {
    const first = (await styleIds())[0];
    assert.equal(first, 'todas', 'no named style draws these layers: the map of all of them comes first');
    await mustServe(`/maps/${first}`);
    const p = await open(`/maps/${first}`);
    await waitForMap(p.page);
    const toggles = await p.page.$$eval('.layer-list input[type=checkbox]', (bs) => bs.map((b) => b.dataset.layer));
    // every data layer; a boundary may instead be drawn as context, and then it is not listed
    for (const id of ['localidades', 'cuadrantes', 'delitos']) assert.ok(toggles.includes(id), `${id} not listed: ${toggles}`);
    const contexts = await p.page.evaluate(() => window.teselas.style.layers
      .filter((sl) => sl.metadata && sl.metadata['teselas:context']).map((sl) => sl.id));
    const listed = await p.page.evaluate(() => [...window.teselas.groups.values()].flat());
    for (const id of contexts) assert.ok(!listed.includes(id), `context layer ${id} is listed as data`);
    await shot(p.page, 'thirdparty-all');
    assert.deepEqual(p.problems, []);
    await p.close();
  });

  test('the status of many layers is short: how many are drawn, each hint once', async () => {
    const p = await open('/maps/todas');
    assert.equal(await waitForMap(p.page, ['idle'], 120000), 'idle');
    const status = await p.page.textContent('#status');
    const m = /^Mapa listo\. Se dibujan (\d+) capas \(([\d,]+) elementos\)\./.exec(status);
    assert.ok(m, `status: ${status}`);
    // the layers the map itself shows features of, by MapLibre's rendered features
    const shown = await p.page.evaluate(() => new Set(window.teselas.map.queryRenderedFeatures()
      .map((f) => f.sourceLayer.replace(/:labels$/, ''))).size);
    assert.equal(Number(m[1]), shown, `status: ${status}`);
    assert.ok((status.match(/menores que un píxel/g) || []).length <= 1, `status: ${status}`);
    assert.ok((status.match(/se dibuja desde el zoom|Acerque el mapa para ver/g) || []).length <= 1, `status: ${status}`);
    assert.deepEqual(p.problems, []);
    await p.close();
  });
});
