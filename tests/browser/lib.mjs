// lib.mjs — helpers of the browser tests: a sample database, the real `teselas serve` on a free
// loopback port, Debian's Chromium driven by playwright-core (never a downloaded browser), a
// page watcher that records console errors, failed requests and requests to other origins, and
// axe-core. Screenshots go to $TESELAS_ARTIFACTS/browser/.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const TESELAS = process.env.TESELAS;
export const ARTIFACTS = join(process.env.TESELAS_ARTIFACTS || join(tmpdir(), 'teselas-artifacts'), 'browser');
mkdirSync(ARTIFACTS, { recursive: true });

// Debian's Chromium (package `chromium`), found on PATH; CHROMIUM may name another binary.
export function findChromium() {
  if (process.env.CHROMIUM) return existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : null;
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}
export const CHROMIUM = findChromium();

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch {
    throw new Error('playwright-core is missing: run `npm ci` in tests/browser (scripts/test.sh does)');
  }
}

export function axeSource() {
  return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}

// The demo's sample database of León.
export function buildDemo(db) {
  execFileSync(TESELAS, ['demo', '--db', db, '--build-only', '--incidents', '5000'], { stdio: 'ignore' });
}

// A database built by `build(db)` (the demo's by default) and the server on port 0; resolves
// when it prints the port it bound. `build` may return more serve flags (e.g. --archive).
export async function startServer(build = buildDemo) {
  if (!TESELAS) throw new Error('TESELAS must point at the teselas binary');
  const dir = mkdtempSync(join(tmpdir(), 'teselas-browser-'));
  const db = join(dir, 'test.db');
  const extra = build(db, dir);
  const proc = spawn(TESELAS, ['serve', '--db', db, '--port', '0', '--bind', '127.0.0.1', '--quiet',
    ...(Array.isArray(extra) ? extra : [])],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 10000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /serving .* at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    db,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A page on another origin (another loopback port) that embeds the map with one <iframe>.
export async function startHostPage(iframeSrc) {
  const html = `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Sitio de un
    comité vecinal</title><link rel="icon" href="data:,"></head><body><main><h1>Nuestro barrio</h1>
    <iframe id="mapa" src="${iframeSrc}" title="Mapa de parques" width="600" height="400"
    style="border:0"></iframe></main></body></html>`;
  const srv = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${srv.address().port}/`,
    close: () => new Promise((r) => { srv.close(r); srv.closeAllConnections(); }),
  };
}

// A file of the shared third-party data (../shared/data beside the repository, each set with its
// SOURCE): its path, or the test is skipped (exit 77) saying the data is not here.
export function sharedDataOrSkip(rel) {
  const path = fileURLToPath(new URL(`../../../shared/data/${rel}`, import.meta.url));
  if (!existsSync(path)) {
    console.log(`SKIP: the shared third-party data is not here (${path})`);
    process.exit(77);
  }
  return path;
}

// `src` imported as one layer into a fresh server, and its viewer (/maps/<layer><hash>) open in
// Chromium at `viewport`, drawn and idle. Resolves { srv, page, problems (watch), close }; close
// ends the browser and the server, whatever the test did.
export async function openLayerMap(src, layer, { viewport, hash = '' }) {
  const srv = await startServer((db) => {
    execFileSync(TESELAS, ['import', src, '--db', db, '--layer', layer, '--quiet'], { stdio: 'ignore' });
  });
  let browser = null;
  const close = async () => {
    if (browser) await browser.close();
    await srv.stop();
  };
  try {
    const { chromium } = loadPlaywright();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport });
    const problems = watch(page, [srv.base]);
    await page.goto(`${srv.base}/maps/${layer}${hash}`);
    const state = await waitForMap(page, ['idle'], 120000);
    if (state !== 'idle') throw new Error(`the map of ${layer} ended ${state}, not idle`);
    return { srv, page, problems, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// Records what a page must not do: console errors, uncaught exceptions, failed requests (a
// request the browser itself cancelled, as MapLibre does with tiles it no longer needs, is not a
// failure), HTTP errors, and any request to an origin not in `allowed`.
export function watch(page, allowed) {
  const problems = [];
  const origins = new Set(allowed);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || '';
    if (!why.includes('ERR_ABORTED')) problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (!origins.has(u.origin)) problems.push(`request to another origin: ${r.url()}`);
  });
  return problems;
}

export async function waitForMap(pageOrFrame, states = ['idle'], timeout = 30000) {
  await pageOrFrame.waitForFunction((s) => s.includes(document.documentElement.dataset.map),
    states, { timeout });
  return pageOrFrame.evaluate(() => document.documentElement.dataset.map);
}

// axe-core: the violations of impact serious or critical, as readable lines.
export async function axeSerious(page) {
  // evaluated through the DevTools protocol: the pages' Content-Security-Policy (script-src
  // 'self') rightly refuses an inline <script>
  await page.evaluate(axeSource());
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
}

// Pixel statistics of an image the page shows (same origin, so the canvas is readable): the
// number of distinct colours and the standard deviation of the grey level. A flat image has one
// colour and a deviation of 0.
export function imageStats(pageOrFrame, selector) {
  return pageOrFrame.$$eval(selector, (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).map((img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let sum = 0, sum2 = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const a = d[i + 3] / 255;
      const y = (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]) * a + 255 * (1 - a);
      sum += y; sum2 += y * y;
      if (colours.size < 1000) colours.add((d[i] << 24) ^ (d[i + 1] << 16) ^ (d[i + 2] << 8) ^ d[i + 3]);
    }
    const mean = sum / n;
    return { src: img.getAttribute('src'), colours: colours.size, sd: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) };
  }));
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

// Presses Tab until the focused element matches `selector` (keyboard only); returns how many.
export async function tabTo(page, selector, max = 80) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  throw new Error(`${selector} not reached with Tab in ${max} presses`);
}

// An /admin job page reloads itself (meta refresh) until the import ends: waits for the page
// without the refresh. The page's own reload may destroy the context of a check, which is then
// tried again.
export async function jobEnded(page, tries = 600) {
  const url = page.url();
  if (!/\/admin\/trabajos\/\d+$/.test(url)) throw new Error(`not a job page: ${url}`);
  for (let i = 0; i < tries; i++) {
    try {
      await page.waitForLoadState('load');
      if (await page.$('meta[http-equiv="refresh"]') === null) return;
    } catch { /* the page's own refresh got there first */ }
    await page.waitForTimeout(250);
    try {
      await page.goto(url);
    } catch { /* the page's own refresh got there first */ }
  }
  throw new Error(`the job at ${url} did not end`);
}

// Features of a layer (in a box, when given) as the features API pages them: every page of 1,000
// followed by its next link (numberMatched is left out above 1,000 matches).
export async function countItems(base, layer, box = null) {
  let url = `${base}/collections/${layer}/items?limit=1000${box ? `&bbox=${box.map((x) => x.toFixed(6)).join(',')}` : ''}`;
  let n = 0;
  for (let pages = 0; url && pages < 50; pages++) {
    const r = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (r.status !== 200) throw new Error(`items of ${layer}: HTTP ${r.status}`);
    const doc = await r.json();
    n += doc.features.length;
    const next = (doc.links || []).find((l) => l.rel === 'next');
    url = next ? new URL(next.href, base).href : null;
  }
  return n;
}
