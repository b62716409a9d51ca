// test_codes.mjs — codes and ids are written as they are, only measures get thousands separators.
// Six León colonias (tests/data/leon-colonias, GPL-3.0) carry an integer key `gid` (19592…): the
// card and the data table wrote it "19,592", as they wrote a CVEGEO, a ZIP or a year. In
// Chromium: a colonia's card and the table's gid column read the digits the features API gives.
// The colonia is clicked where its name is drawn: the name's label point was taken first, and the
// card said the name and nothing else.
// Coordinates keep their decimals: INEGI's localidades (tests/data/inegi, a KML) stored with the
// report's `--types latitud=real,longitud=real` showed "21.12" for 21.1219719 (a kilometre off).
// The same KML's `description` has a value in no placemark (the report: 0 % filled): the card
// and the table said "sin dato" for it in every row, and a chart grouped by it. They leave it
// out; the CSV download keeps its column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM, CHROMIUM_ARGS, TESELAS, loadPlaywright, openLayerMap, shot, startServer, waitForMap, watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SRC = join(DATA, 'leon-colonias/leon_colonias_msavi_6.geojson');
const KML = join(DATA, 'inegi/AGLOC_11020_25.kml');

// The card of the feature drawn nearest the map's centre: { props, card: {label: text} }.
async function clickNearestCentre(page, layer) {
  const hit = await page.evaluate((id) => {
    const map = window.teselas.map;
    // the drawn shapes, not their labels (a label point carries the name only)
    const layers = window.teselas.groups.get(id).filter((l) => map.getLayer(l) && map.getLayer(l).type !== 'symbol');
    const c = map.getCanvas();
    let best = null;
    for (let y = 40; y < c.clientHeight - 40; y += 6) {
      for (let x = 40; x < c.clientWidth - 40; x += 6) {
        const fs = map.queryRenderedFeatures([x, y], { layers });
        const d = (x - c.clientWidth / 2) ** 2 + (y - c.clientHeight / 2) ** 2;
        if (fs.length && (!best || d < best.d)) best = { x, y, d, props: fs[0].properties };
      }
    }
    return best;
  }, layer);
  assert.ok(hit, `no ${layer} drawn`);
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + hit.x, box.y + hit.y);
  await page.locator('.maplibregl-popup').waitFor();
  const card = await page.$$eval('.maplibregl-popup dl > div',
    (ds) => Object.fromEntries(ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
  return { props: hit.props, card };
}

test('a card, clicked on the name, and the data table write a key without thousands separators', { timeout: 600000 }, async () => {
  const m = await openLayerMap(SRC, 'colonias', { viewport: { width: 1000, height: 700 } });
  try {
    const { page, srv } = m;
    const api = await (await fetch(`${srv.base}/collections/colonias/items?limit=100`)).json();
    const gids = api.features.map((f) => String(f.properties.gid)).sort();
    assert.equal(gids.length, 6, `the features API lists ${gids.length} colonias`);
    // click on a colonia's drawn name, as a person would
    const name = await page.evaluate(() => {
      const map = window.teselas.map;
      const f = map.queryRenderedFeatures().find((x) => x.sourceLayer === 'colonias:labels');
      return f && { ...map.project(f.geometry.coordinates), nom_col: f.properties.nom_col };
    });
    assert.ok(name, 'no colonia name drawn');
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + name.x, box.y + name.y);
    await page.locator('.maplibregl-popup').waitFor();
    const card = await page.$$eval('.maplibregl-popup dl > div',
      (ds) => Object.fromEntries(ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
    // the colonia under the name (or a smaller neighbour within the click's 5 px): its whole card
    assert.ok(gids.includes(card.gid), `clicked on ${name.nom_col}, the card writes gid "${card.gid}" ` +
      `(the API: ${gids}): ${JSON.stringify(card)}`);
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

test('a card writes coordinates with the decimals the file has', { timeout: 600000 }, async () => {
  const srv = await startServer((db) => {
    execFileSync(TESELAS, ['import', KML, '--db', db, '--layer', 'localidades', '--types',
      'latitud=real,longitud=real', '--quiet'], { stdio: 'ignore' });
  });
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, locale: 'es-MX' });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/localidades?layers=localidades`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const { props, card } = await clickNearestCentre(page, 'localidades');
    // the KML's own text for this localidad (its placemark's name and latitude)
    const kml = readFileSync(KML, 'utf8');
    const mark = kml.split('<Placemark>').find((p) => p.includes(`<name>${props.Name}</name>`));
    assert.ok(mark, `no placemark named ${props.Name} in the KML`);
    const lat = /<SimpleData name="latitud">([^<]+)</.exec(mark)[1];
    assert.ok(lat.split('.')[1].length > 2, `the check needs a latitude with more than two decimals: ${lat}`);
    assert.equal(card.latitud, lat, `the card writes latitud ${lat} as "${card.latitud}"`);
    await shot(page, 'codes-coordinates');
    assert.ok(!mark.includes('<description>'), 'the check needs placemarks without a description');
    assert.ok(!('description' in card), `the card lists a description no placemark has: ${JSON.stringify(card)}`);
    assert.ok(!Object.values(card).includes('sin dato'), `the card says "sin dato": ${JSON.stringify(card)}`);
    await page.keyboard.press('Escape');
    await page.click('#table-button');
    await page.selectOption('#table-layer', 'localidades');
    await page.waitForFunction(() => document.getElementById('data-table').dataset.state === 'ready');
    const heads = await page.$$eval('#data-table thead th', (ths) => ths.map((th) => th.textContent.trim()));
    assert.ok(heads.some((h) => h.startsWith('cvegeo')) && !heads.some((h) => h.startsWith('description')),
      `table columns: ${heads}`);
    const cells = await page.$$eval('#data-table tbody td', (tds) => tds.map((td) => td.textContent));
    assert.ok(cells.length > 0 && !cells.includes('sin dato'), 'the table says "sin dato"');
    await shot(page, 'codes-empty-field');
    const csv = await (await fetch(`${srv.base}/collections/localidades/items?f=csv&limit=5`)).text();
    assert.ok(csv.split('\n')[0].includes('description'), `the CSV lost the description column: ${csv.split('\n')[0]}`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
