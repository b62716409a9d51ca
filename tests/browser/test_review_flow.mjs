// test_review_flow.mjs — publishing without a shell, with two people, in Chromium at 360 px, on
// a third-party file (SACMEX's wells of Mexico City, tests/data/cdmx-agua/SOURCE.md): the
// publisher signs in (keyboard only), chooses on the layer page the fields left out (CALLE, and
// the projected X, Y that would say the exact place) and a privacy policy (generalise to a 500 m
// grid), runs a dry run (the report in words and the map of what would be published, nothing
// published), then uploads: «pendiente de
// revisión». The reviewer, in a SECOND browser context (another account, its own cookies), finds
// it in /admin/revision, reads the policy and the fields in words, sees the map of the preview
// (drawn from the preview tiles: no feature at a source coordinate, as many as the preview's
// items), and approves it with a reason typed with the keyboard. The layer is then on the public
// map and in an embed; a second version is approved and the publisher rolls back to the first.
// The publisher cannot open the reviewer's pages (403). axe-core: no serious or critical
// violation on the new pages; none scrolls sideways at 360 px. The flow's wall time is printed,
// not asserted. A screenshot of the reviewer's page is left in the artifacts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import {
  ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TESELAS, axeSerious, jobEnded, loadPlaywright, shot, startServer, tabTo, waitForMap,
  watch,
} from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const FILE = join(DATA, 'cdmx-agua/Pozos_Sacmex2.geojson');
const PASSWORD = `clave-de-pozos-${process.pid}-${Date.now()}`;

let server;
let browser;

before(async () => {
  server = await startServer((db) => {
    execFileSync(TESELAS, ['users', 'add', 'agua', '--db', db, '--role', 'publisher',
      '--department', 'Sistema de Aguas', '--layers', 'pozos', '--password'],
    { input: `${PASSWORD}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    execFileSync(TESELAS, ['users', 'add', 'transparencia', '--db', db, '--role', 'reviewer',
      '--department', 'Unidad de Transparencia', '--password'],
    { input: `${PASSWORD}-t\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  });
  const { chromium } = loadPlaywright();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function checkPage(page, name, seen) {
  const violations = await axeSerious(page);
  assert.deepEqual(violations, [], `axe on ${name}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 360) await shot(page, `wide-${name}`);
  // the element that overflows, to say what to fix
  const culprit = wide <= 360 ? '' : await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 360 || e.scrollWidth > 360)
    .map((e) => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().right} ${e.scrollWidth}`)
    .slice(-3).join(' '));
  assert.ok(wide <= 360, `${name} is ${wide} px wide at 360 px: ${culprit}`);
  seen.push(name);
}

async function signIn(page, name, password) {
  await page.goto(`${server.base}/admin`);
  await tabTo(page, '#usuario');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForURL(/\/admin$/), page.keyboard.press('Enter')]);
}

// The upload form with the privacy choice, by keyboard where a person would type.
async function upload(page, { grid, dryRun }) {
  await page.goto(`${server.base}/admin/capas/pozos`);
  await page.setInputFiles('#archivo', FILE);
  await page.fill('#drop', 'CALLE, X, Y');
  await page.check('#privacy_generalize');
  await page.fill('#privacy_grid', String(grid));
  await page.fill('#privacy_k', '2');
  if (dryRun) await page.check('#dry_run');
  await Promise.all([page.waitForURL(/\/admin\/trabajos\/\d+$/), page.click('button:has-text("Subir")')]);
  await jobEnded(page);
}

// The reviewer decides on the first pending review from its page, keyboard only; returns its n.
async function approveFromPage(page, seen, reason) {
  await page.goto(`${server.base}/admin`);
  await Promise.all([page.waitForURL(/\/admin\/revision$/), page.click('a[href="/admin/revision"]')]);
  if (seen) await checkPage(page, 'revisiones', seen);
  const link = await page.$('main table a[href^="/admin/revision/"]');
  assert.ok(link, 'no review in the list');
  const href = await link.getAttribute('href');
  await Promise.all([page.waitForURL(new RegExp(`${href}$`)), link.click()]);
  await waitForMap(page, ['idle'], 60000);
  if (seen) {
    await checkPage(page, 'revisión', seen);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-revision-360.png'), fullPage: true });
    await page.locator('#review-map').screenshot({ path: join(ARTIFACTS, 'admin-revision-map.png') });
  }
  const drawn = Number(await page.getAttribute('#review-map', 'data-drawn'));
  await tabTo(page, '#razon');
  await page.keyboard.type(reason);
  await tabTo(page, 'button[value="approve"]');
  await Promise.all([page.waitForURL(new RegExp(`${href}$`)), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('#decision + p'), new RegExp(`Aprobada por transparencia.*${reason}`));
  return { n: Number(href.split('/').pop()), drawn };
}

// The public items once the server sees the approved version (it checks its catalogue each
// second).
async function publicItems(ok) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${server.base}/collections/pozos/items?limit=1000`);
    if (r.status === 200) {
      const doc = await r.json();
      if (ok(doc)) return doc;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the approved version is not served');
}

test('a publisher chooses a policy, a reviewer approves it on a map, the public sees it', async () => {
  try {
    await flow();
  } catch (err) {
    console.log(`# server log:\n${server.log().replace(/^/gm, '# ')}`);
    throw err;
  }
});

async function flow() {
  const source = JSON.parse(readFileSync(FILE, 'utf8')).features;
  const exact = new Set(source.map((f) => f.geometry.coordinates.map((c) => c.toFixed(6)).join(',')));
  const opts = { viewport: { width: 360, height: 740 }, locale: 'es-MX' };
  const pub = await browser.newContext(opts);
  const rev = await browser.newContext(opts);
  const p = await pub.newPage();
  const r = await rev.newPage();
  const problems = [...[p, r].map((page) => watch(page, [server.base]))];
  const seen = [];
  const t0 = Date.now();

  // the publisher: the layer page with the privacy choice, a dry run, then the upload
  await signIn(p, 'agua', PASSWORD);
  await p.goto(`${server.base}/admin/capas/pozos`);
  await checkPage(p, 'capa con privacidad', seen);
  await upload(p, { grid: 500, dryRun: true });
  assert.match(await p.textContent('main'), /no se publicó nada|No se publicó nada/);
  assert.match(await p.textContent('#informe'), /registros/);
  // the dry run's map: what approval would publish, drawn before anything is submitted
  await waitForMap(p, ['idle'], 60000);
  const dryDrawn = Number(await p.getAttribute('#review-map', 'data-drawn'));
  assert.ok(dryDrawn > 0, 'the dry run map drew nothing');
  const dryPoints = await p.evaluate(() => JSON.parse(document.getElementById('review-config').textContent)
    .geojson.features.map((f) => f.geometry.coordinates));
  for (const c of dryPoints) assert.ok(!exact.has(c.map((x) => x.toFixed(6)).join(',')), 'a source point in the dry run map');
  await checkPage(p, 'ensayo con mapa', seen);
  await p.locator('#review-map').screenshot({ path: join(ARTIFACTS, 'admin-ensayo-map.png') });
  assert.equal((await fetch(`${server.base}/collections/pozos`)).status, 404, 'a dry run publishes nothing');
  await upload(p, { grid: 500, dryRun: false });
  assert.match(await p.textContent('main'), /Versión 1 pendiente de revisión/);
  await p.goto(`${server.base}/admin`);
  assert.match(await p.textContent('main'), /pendiente de revisión/);
  await checkPage(p, 'tus capas pendiente', seen);
  const forbidden = await p.goto(`${server.base}/admin/revision`);
  assert.equal(forbidden.status(), 403, 'a publisher opens the reviewer pages');
  problems[0].splice(0); // that 403 was asked for

  // the reviewer, in its own context: the words, the map, the decision
  await signIn(r, 'transparencia', `${PASSWORD}-t`);
  await r.goto(`${server.base}/admin/revision/1`);
  await waitForMap(r, ['idle'], 60000);
  const words = await r.textContent('main');
  assert.match(words, /500 m/, 'the policy in words');
  for (const f of ['CALLE', 'X', 'Y']) assert.match(await r.textContent('#campos'), new RegExp(`${f}No se publica`));
  const preview = await r.evaluate(async () => (await fetch('/api/reviews/1/preview/items?limit=1000')).json());
  assert.ok(preview.features.length > 0, 'the preview has features');
  for (const f of preview.features) {
    assert.ok(!exact.has(f.geometry.coordinates.map((c) => c.toFixed(6)).join(',')), 'a source point in the preview');
    for (const k of ['CALLE', 'X', 'Y']) assert.ok(!(k in f.properties), `${k} in the preview`);
  }
  const { drawn } = await approveFromPage(r, seen, 'sin calle ni coordenadas; rejilla de 500 m');
  assert.ok(drawn > 0, 'the reviewer map drew nothing');
  console.log(`# reviewer map: ${drawn} features drawn in view; preview items: ${preview.features.length} of ${source.length} wells`);

  // the public: the items, the map and an embed
  const v1 = await publicItems(() => true);
  assert.equal(v1.features.length, preview.features.length, 'the public layer is the preview');
  const pubMap = await pub.newPage();
  problems.push(watch(pubMap, [server.base]));
  await pubMap.goto(`${server.base}/maps/pozos`);
  await waitForMap(pubMap, ['idle'], 60000);
  const onMap = await pubMap.evaluate(() => window.teselas.map.queryRenderedFeatures().filter((f) => f.sourceLayer === 'pozos').length);
  assert.ok(onMap > 0, 'the public map draws the layer');
  await pubMap.goto(`${server.base}/embed/pozos`);
  await waitForMap(pubMap, ['idle'], 60000);
  await pubMap.close();

  // a second version (250 m: a coarser one would purge the finer first, by design), approved;
  // the publisher rolls back to the first
  await upload(p, { grid: 250, dryRun: false });
  assert.match(await p.textContent('main'), /Versión 2 pendiente de revisión/);
  await approveFromPage(r, null, 'rejilla de 250 m');
  await publicItems((d) => d.features.length !== v1.features.length);
  await p.goto(`${server.base}/admin/capas/pozos`);
  await Promise.all([p.waitForURL(/\/admin\/capas\/pozos$/),
    p.click('button:has-text("Volver a publicar la versión 1")')]);
  assert.match(await p.textContent('main'), /Versión 3/);
  const back = await publicItems((d) => d.features.length === v1.features.length);
  assert.equal(back.features.length, v1.features.length, 'the rollback published version 1 again');
  const wall = (Date.now() - t0) / 1000;

  for (const list of problems) assert.deepEqual(list, [], 'problems on the pages');
  assert.equal(seen.length, 5);
  console.log(`# flow wall time (sign-in to rollback, two people, 4 uploads of ${source.length} wells): ${wall.toFixed(1)} s`);
  await pub.close();
  await rev.close();
}
