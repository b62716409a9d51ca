// test_archive_viewer.mjs — archives served by `teselas serve --archive` are offered by /styles
// and drawn by the viewer (/maps/{name}) in Debian's Chromium, like layers: a vector MBTiles and
// a PNG PMTiles, both seeded from a database made only from third-party files (Natural Earth's
// countries, INEGI's León localities). The canvas must not be blank, queryRenderedFeatures must
// find the countries of the vector archive with their fields, and no request may fail. A named
// style drawing the localities over the vector archive as its basemap (a source of url
// mbtiles://{mundo}) shows both, the basemap's colour on screen where Mexico is; a style whose
// raster source names the PNG archive is drawn with 256-px raster tiles. The archives' layers are
// in the viewer's layer list (name, tag, legend swatch, a toggle that hides and shows them); a
// click on a country opens its card with the fields of its tile (Brazil's as the shapefile has
// them, by GDAL); the table, charts and search each say that those layers come from a tile
// archive with no items API; their toggles are kept in the address and read back from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CHROMIUM, CHROMIUM_ARGS, TESELAS, imageStats, loadPlaywright, shot, startServer, waitForMap,
  watch } from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA;

// The database, and the two archives seeded from it, given to the server.
function build(db, dir) {
  const run = (...a) => execFileSync(TESELAS, a, { stdio: 'ignore' });
  run('import', join(DATA, 'naturalearth', 'naturalearth_lowres.shp'), '--db', db, '--layer', 'paises');
  run('import', join(DATA, 'inegi', 'AGLOC_11020_localidades.csv'), '--db', db, '--layer', 'localidades');
  run('seed', '--db', db, '--layers', 'paises,localidades', '--zoom', '0-5',
    '--out', join(dir, 'mundo.mbtiles'), '--quiet');
  run('seed', '--db', db, '--style', 'paises', '--format', 'png', '--zoom', '0-3',
    '--out', join(dir, 'relieve.pmtiles'), '--quiet');
  mkdirSync(join(dir, 'styles'));
  writeFileSync(join(dir, 'styles', 'basemap.json'), JSON.stringify({
    version: 8, name: 'Localidades sobre el mapa base',
    sources: { base: { type: 'vector', url: 'mbtiles://{mundo}' },
      datos: { type: 'vector', url: 'teselas://localidades' } },
    layers: [
      { id: 'fondo', type: 'background', paint: { 'background-color': '#e8eef4' } },
      { id: 'base-paises', type: 'fill', source: 'base', 'source-layer': 'paises',
        paint: { 'fill-color': '#d9c9a3' } },
      { id: 'localidades', type: 'circle', source: 'datos', 'source-layer': 'localidades',
        paint: { 'circle-color': '#cc0000', 'circle-radius': 4 } }] }));
  // the PNG archive as a raster basemap under the localities
  writeFileSync(join(dir, 'styles', 'rasterbase.json'), JSON.stringify({
    version: 8, name: 'Localidades sobre el relieve',
    sources: { base: { type: 'raster', url: 'mbtiles://{relieve}' },
      datos: { type: 'vector', url: 'teselas://localidades' } },
    layers: [
      { id: 'base', type: 'raster', source: 'base' },
      { id: 'localidades', type: 'circle', source: 'datos', 'source-layer': 'localidades',
        paint: { 'circle-color': '#cc0000', 'circle-radius': 4 } }] }));
  return ['--styles', join(dir, 'styles'), '--archive', `mundo=${join(dir, 'mundo.mbtiles')}`,
    '--archive', `relieve=${join(dir, 'relieve.pmtiles')}`];
}

// Distinct colours and grey-level deviation of the map's canvas (lib.mjs imageStats), from a
// screenshot shown as an image (a WebGL canvas cannot be read back once drawn).
async function canvasStats(page) {
  const png = await page.locator('#map canvas').screenshot();
  await page.evaluate((b64) => {
    document.getElementById('shot')?.remove();
    const img = Object.assign(document.createElement('img'),
      { id: 'shot', alt: '', hidden: true, src: `data:image/png;base64,${b64}` });
    document.body.append(img);
    return img.decode();
  }, png.toString('base64'));
  const [st] = await imageStats(page, 'img#shot');
  return st;
}

// The viewer's layer list: each entry's layer, title, tag, whether it has a swatch and is on.
function listed(page) {
  return page.evaluate(() => [...document.querySelectorAll('.layer-list li.layer')].map((li) => {
    const box = li.querySelector('input[type=checkbox]');
    return { layer: box.dataset.layer, text: li.querySelector('label > span:not(.swatch):not(.tag)').textContent,
      tag: li.querySelector('.tag')?.textContent ?? null, swatch: !!li.querySelector('.swatch'),
      checked: box.checked };
  }));
}

test('archives are offered by /styles and drawn by the viewer', { timeout: 600000 }, async () => {
  const srv = await startServer(build);
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const styles = await (await fetch(`${srv.base}/styles`)).json();
    const byId = new Map(styles.map((s) => [s.id, s]));
    assert.equal(byId.get('mundo')?.archive, 'mundo', 'the vector archive is not in /styles');
    assert.ok(byId.get('relieve')?.tiles.endsWith('/tiles/relieve/{z}/{x}/{y}.png'));

    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/mundo#map=2/20/-20`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const found = await page.evaluate(() => window.teselas.map.queryRenderedFeatures()
      .filter((f) => f.source === 'mundo')
      .map((f) => ({ layer: f.sourceLayer, type: f.geometry.type, props: f.properties })));
    const countries = found.filter((f) => f.layer === 'paises');
    assert.ok(countries.length > 20, `${countries.length} countries drawn`);
    assert.ok(countries.some((f) => typeof f.props.name === 'string' || typeof f.props.NAME === 'string'
      || Object.keys(f.props).length > 0), 'the countries carry no fields');
    const vs = await canvasStats(page);
    assert.ok(vs.colours > 20 && vs.sd > 5, `the vector archive's map looks blank: ${JSON.stringify(vs)}`);
    await shot(page, 'archive-vector');
    // the archive's layers are in the layer list, with a toggle and a legend, and the toggle works
    assert.deepEqual(await listed(page), [
      { layer: 'archive:mundo/paises', text: 'paises', tag: 'archivo mundo', swatch: true, checked: true },
      { layer: 'archive:mundo/localidades', text: 'localidades', tag: 'archivo mundo', swatch: true,
        checked: true }]);
    assert.match(await page.textContent('#status'),
      /Capas de archivo activas: paises \(archivo mundo\); localidades \(archivo mundo\)/);
    const paisesDrawn = () => page.evaluate(() => window.teselas.map.queryRenderedFeatures()
      .filter((f) => f.source === 'mundo' && f.sourceLayer === 'paises').length);
    await page.locator('input[data-layer="archive:mundo/paises"]').uncheck();
    await page.waitForFunction(() => window.teselas.map.getLayoutProperty('mundo-paises-fill', 'visibility') === 'none');
    await page.evaluate(() => new Promise((ok) => window.teselas.map.once('idle', ok)
      && window.teselas.map.triggerRepaint()));
    assert.equal(await paisesDrawn(), 0, 'the countries are still drawn with their toggle off');
    await page.locator('input[data-layer="archive:mundo/paises"]').check();
    await page.evaluate(() => new Promise((ok) => window.teselas.map.once('idle', ok)
      && window.teselas.map.triggerRepaint()));
    assert.ok(await paisesDrawn() > 20, 'the countries are not drawn again with their toggle on');

    // a click on Brazil: its card, from the tile's properties
    const at = await page.evaluate(() => {
      const m = window.teselas.map, p = m.project([-52, -10]), r = m.getCanvas().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    });
    await page.mouse.click(at[0], at[1]);
    await page.waitForSelector('.teselas-popup .feature', { timeout: 30000 });
    const card = await page.evaluate(() => ({
      title: document.querySelector('.teselas-popup .feature-title').textContent,
      layer: document.querySelector('.teselas-popup .feature-layer').textContent,
      fields: Object.fromEntries([...document.querySelectorAll('.teselas-popup dl.fields > div')]
        .map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])) }));
    const brazil = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', '-where', "name='Brazil'",
      '-select', 'name,continent,iso_a3', join(DATA, 'naturalearth', 'naturalearth_lowres.shp')],
    { encoding: 'utf8', maxBuffer: 1 << 26 })).features[0].properties;
    assert.equal(card.title, brazil.name, JSON.stringify(card));
    assert.equal(card.layer, 'paises (archivo mundo)');
    assert.equal(card.fields.continent, brazil.continent);
    assert.equal(card.fields.iso_a3, brazil.iso_a3);
    await page.keyboard.press('Escape');

    // the table, charts and search say plainly that the archive's layers have no items API
    const notes = async () => page.evaluate(() => [...document.querySelectorAll('.archive-note')]
      .map((n) => ({ in: n.closest('section, form').id || n.closest('section, form').className,
        shown: !n.hidden && n.offsetParent !== null, text: n.textContent })));
    await page.click('#table-button');
    await page.click('#charts-button');
    await shot(page, 'archive-notes');
    assert.equal(await page.isVisible('#table-csv'), false, 'a CSV link with no layer to download');
    const said = await notes();
    assert.equal(said.length, 3, JSON.stringify(said));
    for (const n of said) {
      assert.ok(n.shown, `the note in ${n.in} is not shown`);
      assert.match(n.text, /vienen de un archivo de teselas, que no tiene API de elementos/);
      assert.match(n.text, /paises \(archivo mundo\); localidades \(archivo mundo\)/);
    }

    // the toggles in the address: the countries switched off, the address says so, a reload keeps it
    await page.locator('input[data-layer="archive:mundo/paises"]').uncheck();
    await page.waitForFunction(() => /capas=archive:mundo\/localidades$/.test(decodeURIComponent(location.hash)),
      null, { timeout: 30000 });
    await page.reload();
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    assert.deepEqual((await listed(page)).map((l) => [l.layer, l.checked]),
      [['archive:mundo/paises', false], ['archive:mundo/localidades', true]]);
    assert.equal(await page.evaluate(() => window.teselas.map.getLayoutProperty('mundo-paises-fill', 'visibility')), 'none');
    assert.match(await page.evaluate(() => document.querySelector('.archive-note').textContent), /^Las capas localidades \(archivo mundo\) vienen/);

    await page.goto(`${srv.base}/maps/relieve#map=2/20/-20`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const rs = await canvasStats(page);
    assert.ok(rs.colours > 5 && rs.sd > 5, `the PNG archive's map looks blank: ${JSON.stringify(rs)}`);
    const tiles = await page.evaluate(() => window.teselas.map.getStyle().sources.relieve.type);
    assert.equal(tiles, 'raster');
    await shot(page, 'archive-png');

    // the basemap under a layer of the database, over León
    await page.goto(`${srv.base}/maps/basemap#map=9/21.1/-101.7`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const drawn = await page.evaluate(() => {
      const fs = window.teselas.map.queryRenderedFeatures();
      return { base: fs.filter((f) => f.source === 'base' && f.sourceLayer === 'paises').length,
        datos: fs.filter((f) => f.source === 'datos').length,
        centre: window.teselas.map.queryRenderedFeatures(window.teselas.map.project([-101.7, 21.1]))
          .map((f) => f.layer.id) };
    });
    assert.ok(drawn.base > 0 && drawn.datos > 0, `basemap and layer drawn: ${JSON.stringify(drawn)}`);
    assert.ok(drawn.centre.includes('base-paises'), `Mexico is not under León: ${drawn.centre}`);
    // the database's layer, then the basemap archive's layer, each listed once
    assert.deepEqual((await listed(page)).map((l) => [l.layer, l.tag]),
      [['localidades', null], ['archive:base/paises', 'archivo mundo']]);
    // the basemap is what is under most of the view: a 5 x 5 grid of points over the canvas
    const under = await page.evaluate(() => {
      const m = window.teselas.map, c = m.getCanvas();
      let n = 0;
      for (let i = 1; i <= 5; i++) for (let j = 1; j <= 5; j++) {
        const p = [(c.clientWidth * i) / 6, (c.clientHeight * j) / 6];
        if (m.queryRenderedFeatures(p).some((f) => f.layer.id === 'base-paises')) n++;
      }
      return n;
    });
    assert.ok(under >= 20, `the basemap is under ${under} of 25 points of the view`);
    const bs = await canvasStats(page);
    assert.ok(bs.colours > 2 && bs.sd > 2, `the basemap's map looks blank: ${JSON.stringify(bs)}`);
    await shot(page, 'archive-basemap');

    // a style's raster source naming the PNG archive: MapLibre draws its 256-px tiles under the
    // localities, and the server's own PNG of the same style draws them too
    await page.goto(`${srv.base}/maps/rasterbase#map=3/21.1/-101.7`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const src = await page.evaluate(() => window.teselas.map.getStyle().sources.base);
    assert.equal(src.type, 'raster');
    assert.equal(src.tileSize, 256);
    const rb = await canvasStats(page);
    assert.ok(rb.colours > 5 && rb.sd > 5, `the raster basemap looks blank: ${JSON.stringify(rb)}`);
    await shot(page, 'archive-raster-basemap');
    const png = await fetch(`${srv.base}/styles/rasterbase/3/1/3.png`);
    assert.equal(png.status, 200);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
