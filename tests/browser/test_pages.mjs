// test_pages.mjs — the pages people see, in a real browser (Debian's Chromium, headless):
// the catalog, the viewer and the embed page load with no console error, no failed request and
// no request to another origin; the map reaches idle and draws every demo layer; a click opens a
// card with the fields' human labels; the data table lists the features of the view; the embed
// works inside an iframe of another origin; without WebGL it shows PNG tiles; axe-core finds no
// serious or critical violation; every control works with the keyboard alone; 360 px phones.
// Every endpoint the pages use must be served: a missing route fails its test, never skips it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CHROMIUM, CHROMIUM_ARGS, axeSerious, imageStats, loadPlaywright, shot, startHostPage, startServer, tabTo, waitForMap, watch,
} from './lib.mjs';

const DEMO_LAYERS = ['limite-municipal', 'colonias', 'parques', 'rios-canales', 'cuerpos-agua', 'incidentes'];

let server;
let browser;
let endpoints;

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
  const problems = watch(page, [server.base, ...(opts.allow || [])]);
  await page.goto(server.base + path);
  return { page, problems, close: () => context.close() };
}

// Moves the map and waits until every tile of the new view is drawn ('idle').
function jumpAndSettle(page, center, zoom) {
  return page.evaluate(([c, z]) => new Promise((resolve) => {
    const m = window.teselas.map;
    m.once('idle', resolve);
    m.jumpTo({ center: c, zoom: z });
    m.triggerRepaint();
  }), [center, zoom]);
}

// Renders the features at the map's current view, grouped by layer.
function renderedByLayer(page) {
  return page.evaluate(() => {
    const out = {};
    for (const f of window.teselas.map.queryRenderedFeatures()) {
      (out[f.sourceLayer] ||= new Set()).add(f.id);
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.size]));
  });
}

before(async () => {
  server = await startServer();
  const { chromium } = loadPlaywright();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const html = await (await fetch(`${server.base}/maps/leon`)).text();
  const cfg = JSON.parse(/<script type="application\/json" id="teselas-config">(.*?)<\/script>/s.exec(html)[1]);
  endpoints = cfg.endpoints;
  console.log(`# endpoints of this build: ${JSON.stringify(endpoints)}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('catalog', () => {
  test('lists every layer with its metadata and links, no errors', async () => {
    const { page, problems, close } = await open('/');
    await page.waitForLoadState('networkidle');
    const cards = await page.$$eval('.card h3', (hs) => hs.map((h) => h.textContent));
    assert.equal(cards.length, DEMO_LAYERS.length);
    assert.ok(cards.includes('Parques y áreas verdes'), cards.join(', '));
    const text = await page.textContent('main');
    for (const s of ['Publica', 'Licencia', 'Se actualiza', 'Última actualización', 'Elementos', 'Calidad']) {
      assert.ok(text.includes(s), `catalog lacks "${s}"`);
    }
    for (const id of DEMO_LAYERS) {
      assert.ok(await page.$(`a[href="/maps/leon?layers=${id}"]`), `no map link for ${id}`);
      assert.ok(await page.$(`a[href="/tiles/${id}.json"]`), `no TileJSON link for ${id}`);
      const tpl = await page.inputValue(`#tt-${id}`);
      assert.equal(tpl, `${server.base}/tiles/${id}/{z}/{x}/{y}.pbf`);
    }
    const thumbs = await page.$$eval('img.thumb', (imgs) => imgs.map((i) => i.complete && i.naturalWidth));
    assert.equal(thumbs.length, DEMO_LAYERS.length, 'a layer has no thumbnail (/styles/{style}/static/...)');
    assert.ok(thumbs.every((w) => w > 0), 'a thumbnail did not load');
    assert.ok(endpoints.items, '/collections/{id}/items is not served: no download links');
    await shot(page, 'catalog');
    assert.deepEqual(problems, []);
    await close();
  });

  test('English with lang=en', async () => {
    const { page, problems, close } = await open('/?lang=en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.textContent('h1')).includes('Maps and open data'));
    assert.deepEqual(problems, []);
    await close();
    const m = await open('/maps/leon?lang=en');
    await waitForMap(m.page);
    assert.equal(await m.page.textContent('#table-button'), 'Data table');
    assert.equal(await m.page.getAttribute('.maplibregl-ctrl-zoom-in', 'aria-label'), 'Zoom in');
    assert.deepEqual(m.problems, []);
    await m.close();
  });
});

describe('viewer', () => {
  let v;
  before(async () => {
    v = await open('/maps/leon');
    await waitForMap(v.page);
  });
  after(() => v.close());

  test('reaches idle and draws features of every demo layer', async () => {
    // the whole municipality first; a style may draw small things (colonias) only closer in
    const counts = await renderedByLayer(v.page);
    await shot(v.page, 'viewer');
    await jumpAndSettle(v.page, [-101.68, 21.125], 14);
    const close = await renderedByLayer(v.page);
    for (const id of DEMO_LAYERS) {
      assert.ok(counts[id] > 0 || close[id] > 0,
        `no rendered feature of ${id}: ${JSON.stringify(counts)} at first, ${JSON.stringify(close)} at z14`);
    }
    assert.deepEqual(v.problems, []);
  });

  test('a click opens a card with the fields and their human labels', async () => {
    const { page } = v;
    await jumpAndSettle(page, [-101.68, 21.125], 14);
    // find a pixel where a park is drawn, and click there like a person
    const hit = await page.evaluate(() => {
      const m = window.teselas.map;
      const layers = window.teselas.groups.get('parques').filter((l) => m.getLayer(l));
      const c = m.getCanvas();
      const w = c.clientWidth, h = c.clientHeight;
      for (let y = 20; y < h - 20; y += 8) {
        for (let x = 20; x < w - 20; x += 8) {
          const fs = m.queryRenderedFeatures([x, y], { layers });
          const any = m.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]]);
          if (fs.length && any.every((f) => f.sourceLayer === 'parques' || f.sourceLayer === 'colonias' || f.sourceLayer === 'limite-municipal')) {
            return { x, y, nombre: fs[0].properties.nombre };
          }
        }
      }
      return null;
    });
    assert.ok(hit, 'no park drawn at zoom 14 near the centre');
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    const popup = page.locator('.maplibregl-popup');
    await popup.waitFor();
    const text = await popup.textContent();
    for (const label of ['Parques y áreas verdes', 'Estado', 'Superficie (m²)', 'Juegos infantiles']) {
      assert.ok(text.includes(label), `popup lacks "${label}": ${text}`);
    }
    assert.ok(text.includes(hit.nombre), `popup does not name the park ${hit.nombre}: ${text}`);
    await shot(page, 'viewer-popup');
    assert.deepEqual(v.problems, []);
  });

  test('the data table lists the features of the view', async () => {
    const { page } = v;
    await jumpAndSettle(page, [-101.68, 21.125], 14);
    await page.click('#table-button');
    await page.selectOption('#table-layer', 'parques');
    await page.waitForFunction(() => document.getElementById('data-table').dataset.state === 'ready');
    const tableIds = await page.$$eval('#data-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.id)).sort((a, b) => a - b));
    const drawnIds = await page.evaluate(() => {
      const m = window.teselas.map;
      const ids = new Set(m.queryRenderedFeatures({ layers: window.teselas.groups.get('parques') }).map((f) => f.id));
      return [...ids].sort((a, b) => a - b);
    });
    assert.ok(drawnIds.length > 0, 'no park drawn');
    assert.ok(endpoints.items, '/collections/{id}/items is not served: the table would list only drawn features');
    // the API selects by bounding box, the map by drawn pixels: a park whose box touches the view
    // but whose shape does not may be listed without being drawn, never the reverse
    for (const id of drawnIds) assert.ok(tableIds.includes(id), `park ${id} is drawn but not in the table`);
    assert.ok(tableIds.length <= drawnIds.length + 3, `table ${tableIds.length} rows, drawn ${drawnIds.length}`);
    const header = await page.textContent('#data-table thead');
    assert.ok(header.includes('Estado') && header.includes('Superficie (m²)'), header);
    const href = await page.getAttribute('#table-csv', 'href');
    const r = await fetch(server.base + href);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /csv/);
    await shot(page, 'viewer-table');
    assert.deepEqual(v.problems, []);
  });

  test('charts of incidents by month and by type', async () => {
    assert.ok(endpoints.aggregate, '/collections/{id}/aggregate is not served by this build');
    const { page } = v;
    await page.click('#charts-button');
    await page.waitForFunction(() => document.querySelector('.charts')?.dataset.state === 'ready');
    const figs = await page.$$eval('.charts figcaption', (f) => f.map((x) => x.textContent));
    assert.ok(figs.some((f) => f.includes('por mes')), figs.join(' | '));
    assert.ok(figs.some((f) => f.includes('tipo')), figs.join(' | '));
    await shot(page, 'viewer-charts');
    assert.deepEqual(v.problems, []);
  });

  test('the permalink keeps the view and the layers', async () => {
    const { page } = v;
    await page.uncheck('#toggle-colonias');
    await page.waitForFunction(() => location.hash.includes('capas=') && !location.hash.includes('colonias'));
    const url = page.url();
    const again = await open(new URL(url).pathname + new URL(url).hash);
    await waitForMap(again.page);
    assert.equal(await again.page.isChecked('#toggle-colonias'), false);
    const z = await again.page.evaluate(() => window.teselas.map.getZoom());
    assert.ok(Math.abs(z - 14) < 0.1, `zoom ${z}`);
    await again.close();
    await page.check('#toggle-colonias');
  });

  test('the embed panel writes the iframe code of this view', async () => {
    const { page } = v;
    await page.click('#embed-button');
    const code = await page.inputValue('#embed-code');
    assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/leon\?layers=[a-z,-]+&amp;center=-?\d+\.\d+,-?\d+\.\d+&amp;zoom=\d+\.\d+&amp;controls=1&amp;lang=es" title="Mapa: /);
    assert.deepEqual(v.problems, []);
  });
});

describe('embed', () => {
  test('works inside an iframe of a page from another origin', async () => {
    const src = `${server.base}/embed/leon?layers=parques,incidentes&center=-101.68,21.125&zoom=13&controls=1`;
    const host = await startHostPage(src);
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    const problems = watch(page, [server.base, new URL(host.url).origin]);
    await page.goto(host.url);
    const frame = page.frame({ url: /\/embed\/leon/ });
    assert.ok(frame, 'the iframe did not load the embed page');
    const state = await waitForMap(frame, ['idle']);
    assert.equal(state, 'idle');
    const layers = await frame.evaluate(() => [...new Set(window.teselas.map.queryRenderedFeatures().map((f) => f.sourceLayer))].sort());
    assert.deepEqual(layers, ['incidentes', 'parques']);
    const fill = await frame.evaluate(() => [document.getElementById('map').clientHeight, innerHeight]);
    assert.ok(Math.abs(fill[0] - fill[1]) <= 2, `the map is ${fill[0]} px tall in a ${fill[1]} px iframe`);
    await shot(page, 'embed-in-iframe');
    assert.deepEqual(problems, []);
    await context.close();
    await host.close();
  });

  test('without WebGL it shows the PNG tiles with Leaflet', async () => {
    assert.ok(endpoints.png, 'PNG tiles (/styles/{style}/{z}/{x}/{y}.png) are not served by this build');
    const e = await open('/embed/leon?layers=parques,colonias&center=-101.68,21.125&zoom=13', { noWebGL: true });
    assert.equal(await waitForMap(e.page, ['raster', 'none']), 'raster');
    const stats = await imageStats(e.page, 'img.leaflet-tile');
    assert.ok(stats.length > 0, 'no PNG tile shown');
    assert.ok(stats.some((st) => st.colours > 2 && st.sd > 2), `every tile is flat: ${JSON.stringify(stats)}`);
    await shot(e.page, 'embed-no-webgl');
    assert.deepEqual(e.problems, []);
    await e.close();
  });
});

// The page side of the automatic styles' contract, on the demo's data: a style whose layers carry
// "teselas:legend" (what the colours mean) and "teselas:context" (a boundary drawn for
// orientation). Served in place of `leon` by the browser, so the pages are checked apart from
// the server's choice of colours. Colour names are a person's naming of the Okabe-Ito swatches.
describe('a style with legend metadata', () => {
  const COLOURS = [['#e69f00', 'naranja', 'orange'], ['#56b4e9', 'azul claro', 'light blue'],
    ['#009e73', 'verde azulado', 'teal'], ['#cc79a7', 'rosa', 'pink']];
  let style;
  let tipos;
  before(async () => {
    const agg = await (await fetch(`${server.base}/collections/incidentes/aggregate?by=tipo`)).json();
    tipos = agg.groups.map((g) => g.key).filter((k) => typeof k === 'string').slice(0, COLOURS.length);
    const match = ['match', ['get', 'tipo'], ...tipos.flatMap((k, i) => [k, COLOURS[i][0]]), '#999999'];
    style = { version: 8, name: 'contrato',
      sources: { teselas: { type: 'vector', url: `${server.base}/tiles/limite-municipal,incidentes.json` } },
      layers: [
        { id: 'fondo', type: 'background', paint: { 'background-color': '#f4f3ef' } },
        { id: 'limite', type: 'line', source: 'teselas', 'source-layer': 'limite-municipal',
          paint: { 'line-color': '#888888' }, metadata: { 'teselas:context': true } },
        { id: 'grupos', type: 'circle', source: 'teselas', 'source-layer': 'incidentes', filter: ['has', 'point_count'],
          paint: { 'circle-color': '#444444', 'circle-radius': 10 },
          metadata: { 'teselas:legend': { layer: 'incidentes', title: 'Incidentes', kind: 'clusters', field: null,
            items: [{ label: 'Grupos de casos', color: '#444444', value: null }] } } },
        { id: 'casos', type: 'circle', source: 'teselas', 'source-layer': 'incidentes', filter: ['!', ['has', 'point_count']],
          paint: { 'circle-color': match, 'circle-radius': 4 },
          metadata: { 'teselas:legend': { layer: 'incidentes', title: 'Incidentes', kind: 'categories', field: 'tipo',
            items: tipos.map((k, i) => ({ label: k, color: COLOURS[i][0], value: k })) } } },
      ] };
  });

  async function openWithStyle(path) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-MX' });
    const page = await context.newPage();
    await page.route('**/styles/leon/style.json', (r) => r.fulfill({ contentType: 'application/json',
      body: JSON.stringify(style) }));
    const problems = watch(page, [server.base]);
    await page.goto(server.base + path);
    await waitForMap(page);
    return { page, problems, close: () => context.close() };
  }

  for (const lang of ['es', 'en']) {
    test(`categories as a list with their colours in words (${lang}); context not listed`, async () => {
      const { page, problems, close } = await openWithStyle(`/maps/leon${lang === 'en' ? '?lang=en' : ''}`);
      const toggles = await page.$$eval('.layer-list input[type=checkbox]', (bs) => bs.map((b) => b.dataset.layer));
      assert.deepEqual(toggles, ['incidentes'], 'the context boundary is listed as a data layer');
      const tree = await page.locator('#legend-incidentes').ariaSnapshot();
      assert.match(tree, /^- list/);
      tipos.forEach((k, i) => {
        const name = COLOURS[i][lang === 'en' ? 2 : 1];
        assert.ok(tree.includes(`- listitem: ${k} (${name})`), `no "${k} (${name})" in\n${tree}`);
      });
      assert.ok(tree.includes(lang === 'en' ? '(dark grey)' : '(gris oscuro)'), tree);
      assert.deepEqual(await axeSerious(page), []);
      assert.deepEqual(problems, []);
      await close();
    });
  }

  test('the status line says what is drawn, and what has nothing in the view', async () => {
    const { page, problems, close } = await openWithStyle('/maps/leon');
    const first = await page.textContent('#status');
    assert.match(first, /^Mapa listo\. Se dibujan: Incidentes de seguridad \([\d,.]+ elementos\)\.$/);
    // the drawn count is the cases the map shows: every point, clusters by their size
    const n = Number(/\(([\d,.]+) elementos/.exec(first)[1].replace(/[,.]/g, ''));
    const total = await (await fetch(`${server.base}/collections/incidentes`)).json();
    assert.ok(n > 0 && n <= total.featureCount, `${n} drawn of ${total.featureCount}`);
    await page.evaluate(() => window.teselas.map.jumpTo({ center: [-30, -40], zoom: 9 }));
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('no tienen elementos'));
    assert.equal(await page.textContent('#status'), 'Mapa listo, pero las capas activas no tienen elementos en esta ' +
      'vista (Incidentes de seguridad). Aleje o mueva el mapa.');
    assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');
    assert.deepEqual(problems, []);
    await close();
  });
});

describe('viewer without WebGL', () => {
  test('says so and opens the data table instead', async () => {
    const p = await open('/maps/leon?layers=parques', { noWebGL: true });
    await p.page.waitForFunction(() => document.getElementById('data-table')?.dataset.state === 'ready');
    assert.ok((await p.page.textContent('#status')).includes('no puede dibujar'));
    assert.ok(await p.page.locator('#data-table tbody tr').count() > 0, 'no rows');
    assert.deepEqual(p.problems, []);
    await p.close();
  });
});

describe('accessibility', () => {
  for (const path of ['/', '/maps/leon', '/embed/leon']) {
    test(`axe-core: no serious or critical violation on ${path}`, async () => {
      const p = await open(path);
      if (path !== '/') await waitForMap(p.page);
      const bad = await axeSerious(p.page);
      assert.deepEqual(bad, []);
      assert.deepEqual(p.problems, []);
      await p.close();
    });
  }

  test('every control of the viewer works with the keyboard alone', async () => {
    const { page, problems, close } = await open('/maps/leon?layers=parques,incidentes');
    await waitForMap(page);
    await jumpAndSettle(page, [-101.68, 21.125], 14);
    // skip link first
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    // a layer toggle: Space turns it on
    await tabTo(page, '#toggle-colonias');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#toggle-colonias'), true);
    // search by name: type, Enter, then the first result opens its card
    await tabTo(page, '#search-text');
    const name = await page.evaluate(() => window.teselas.map.queryRenderedFeatures({ layers: window.teselas.groups.get('parques') })[0].properties.nombre);
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#search-results button').length > 0);
    await tabTo(page, '#search-results button');
    await page.keyboard.press('Enter');
    await page.locator('.maplibregl-popup').waitFor();
    assert.ok((await page.textContent('.maplibregl-popup')).includes(name));
    // the card takes the focus on its close button; Enter closes it and focus goes back
    if (!await page.evaluate(() => document.activeElement.matches('.maplibregl-popup-close-button'))) {
      await tabTo(page, '.maplibregl-popup-close-button', 10);
    }
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.maplibregl-popup').count(), 0);
    // the table: open, sort by a column, show a row on the map
    await tabTo(page, '#table-button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('data-table').dataset.state === 'ready');
    await tabTo(page, '#table-layer');
    await tabTo(page, '#data-table button.sort');
    await page.keyboard.press('Enter');
    assert.notEqual(await page.getAttribute('#data-table thead th:nth-child(2)', 'aria-sort'), 'none');
    await tabTo(page, '#data-table button.show');
    await page.keyboard.press('Enter');
    await page.locator('.maplibregl-popup').waitFor();
    // the map itself takes the keyboard: + zooms in
    await tabTo(page, '#map .maplibregl-canvas', 200);
    const z0 = await page.evaluate(() => window.teselas.map.getZoom());
    await page.keyboard.press('Equal');
    await page.waitForFunction((z) => window.teselas.map.getZoom() > z + 0.5, z0);
    // the embed panel: open it and reach the copy button
    await page.focus('#embed-button');
    await page.keyboard.press('Enter');
    await tabTo(page, '#embed-copy');
    assert.match(await page.inputValue('#embed-code'), /^<iframe /);
    await shot(page, 'viewer-keyboard');
    assert.deepEqual(problems, []);
    await close();
  });
});

describe('phones', () => {
  for (const path of ['/', '/maps/leon', '/embed/leon']) {
    test(`${path} fits a 360 px wide screen`, async () => {
      const p = await open(path, { viewport: { width: 360, height: 740 } });
      if (path !== '/') await waitForMap(p.page);
      else await p.page.waitForLoadState('networkidle');
      const wide = await p.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 360, `${path} is ${wide} px wide at 360`);
      await shot(p.page, `phone${path.replace(/\//g, '-')}`);
      assert.deepEqual(p.problems, []);
      await p.close();
    });
  }
});
