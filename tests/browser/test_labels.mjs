// test_labels.mjs — a large polygon is labelled once, not once per tile piece: the 46
// municipalities of Guanajuato (INEGI, ../shared/data/inegi-mg-guanajuato) at z8 in the viewer
// (/maps/municipios, the automatic style) in Chromium. The fills come in several tile pieces
// for some municipalities (what MapLibre used to label one by one), while queryRenderedFeatures
// finds every label placed exactly once, San Felipe and Irapuato (the two a new user saw twice)
// among them, read from the tiles' label points (municipios:labels); the tiles of the view hold
// each of the 46 label points once (querySourceFeatures), and the status line counts 46.
// The hand-made demo style (styles/leon.json) labels its polygon layers (colonias, parques,
// cuerpos-agua) from their label points too: each feature's name placed at most once, from the
// points that carry the id and the name alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CHROMIUM, CHROMIUM_ARGS, loadPlaywright, openLayerMap, sharedDataOrSkip, shot, startServer, waitForMap, watch,
} from './lib.mjs';

const SRC = sharedDataOrSkip('inegi-mg-guanajuato/AGEM_11.geojson');

test('each municipality is labelled once at z8', { timeout: 600000 }, async () => {
  const { page, problems, close } = await openLayerMap(SRC, 'municipios',
    { viewport: { width: 1600, height: 1150 }, hash: '#map=8/20.87/-100.88' });
  try {
    const seen = await page.evaluate(() => {
      const m = window.teselas.map;
      const count = (layer) => {
        const n = {};
        for (const f of m.queryRenderedFeatures({ layers: [layer] }))
          n[f.properties.nom_agem] = (n[f.properties.nom_agem] || 0) + 1;
        return n;
      };
      const points = {};
      for (const f of m.querySourceFeatures('municipios', { sourceLayer: 'municipios:labels' }))
        points[f.properties.nom_agem] = (points[f.properties.nom_agem] || 0) + 1;
      return { zoom: m.getZoom(), labels: count('municipios-labels'), pieces: count('municipios-fill'),
        source: m.getLayer('municipios-labels').sourceLayer, points,
        status: document.getElementById('status').textContent };
    });
    assert.equal(seen.zoom, 8);
    assert.equal(seen.source, 'municipios:labels');
    const names = Object.keys(seen.pieces);
    assert.equal(names.length, 46, `municipalities drawn: ${names.length}`);
    assert.ok(names.some((n) => seen.pieces[n] > 1), 'no municipality spans two tiles: the test proves nothing');
    // every municipality's label point is in the tiles of the view once, placed or not
    assert.deepEqual(Object.keys(seen.points).sort(), names.sort());
    assert.deepEqual(Object.entries(seen.points).filter(([, n]) => n !== 1), []);
    // and the status line counts each municipality once, not its pieces and its label
    assert.match(seen.status, /municipios \(46 elementos\)/);
    const twice = Object.entries(seen.labels).filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'labels placed more than once');
    for (const name of ['San Felipe', 'Irapuato']) assert.equal(seen.labels[name], 1, `${name} labelled`);
    assert.ok(Object.keys(seen.labels).length >= 30, `only ${Object.keys(seen.labels).length} labels placed`);
    await shot(page, 'labels-z8');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the demo style labels each polygon once, from the label points', { timeout: 600000 }, async () => {
  const srv = await startServer();
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/leon#map=14/21.122/-101.682`);
    assert.equal(await waitForMap(page, ['idle'], 120000), 'idle');
    const seen = await page.evaluate(() => {
      const m = window.teselas.map;
      const out = {};
      for (const [layer, id] of [['colonias-nombres', 'colonias'], ['parques-nombres', 'parques'],
        ['agua-nombres', 'cuerpos-agua']]) {
        const placed = {};
        for (const f of m.queryRenderedFeatures({ layers: [layer] })) placed[f.id] = (placed[f.id] || 0) + 1;
        const points = {};
        const keys = new Set();
        for (const f of m.querySourceFeatures('leon', { sourceLayer: `${id}:labels` })) {
          points[f.id] = (points[f.id] || 0) + 1;
          for (const k of Object.keys(f.properties)) keys.add(k);
        }
        const pieces = new Set(m.querySourceFeatures('leon', { sourceLayer: id }).map((f) => f.id));
        out[id] = { source: m.getLayer(layer).sourceLayer, placed, points, keys: [...keys], pieces: pieces.size };
      }
      return { zoom: m.getZoom(), out };
    });
    await shot(page, 'labels-leon-z14');
    assert.equal(seen.zoom, 14);
    for (const [id, s] of Object.entries(seen.out)) {
      assert.equal(s.source, `${id}:labels`, `${id}: labelled from ${s.source}`);
      assert.deepEqual(Object.entries(s.placed).filter(([, n]) => n !== 1), [], `${id}: labels placed twice`);
      assert.deepEqual(Object.entries(s.points).filter(([, n]) => n !== 1), [], `${id}: label points twice`);
      if (Object.keys(s.points).length) assert.deepEqual(s.keys, ['nombre'], `${id}: label point attributes`);
    }
    // colonias' names take the room first (the style's last layer); parks keep their label points
    assert.ok(Object.keys(seen.out.colonias.placed).length >= 10,
      `colonias: ${Object.keys(seen.out.colonias.placed).length} labels placed`);
    assert.ok(Object.keys(seen.out.parques.points).length >= 5,
      `parques: ${Object.keys(seen.out.parques.points).length} label points (${seen.out.parques.pieces} polygons)`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
