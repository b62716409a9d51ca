// charts.js — small bar charts of the current view for any layer with a date or a category field:
// counts by month and by category, from the features API's aggregation endpoint
// (/collections/{id}/aggregate?bbox=..&by=month|FIELD), which applies the layer's privacy policy
// (small groups are left out and counted in suppressed_groups). Each chart is an SVG picture
// with a text alternative and its numbers in a table.
import { el, formatMonth, formatValue } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const NAME_LIKE = /nombre|name|^nom_|_nom$|titulo|title|descrip|direcci|domicilio|calle/i;
const ID_LIKE = /^(id|fid|uuid|gid|objectid)$|_id$|^id_|^cve|^clave|^codigo|^cvegeo|^folio/i;

// The field a chart groups by: the policy's first group of an aggregated layer (its only one the
// server counts by); else the field the style colours by (the automatic style picked it because it
// has few values); else the first text field that is neither a name nor a code.
export function categoryField(layer, legend) {
  const named = (name) => layer.fields.find((f) => f.name === name) || { name, label: name, type: 'text' };
  if (layer.group_by && layer.group_by.length) return named(layer.group_by[0]);
  if (layer.privacy_mode === 'aggregate') return null;
  if (legend && legend.kind === 'categories' && legend.field) return named(legend.field);
  return layer.fields.find((f) => f.type === 'text' && !f.empty && f.name !== layer.date_field &&
    !NAME_LIKE.test(f.name) && !ID_LIKE.test(f.name)) || null;
}

// Vertical bars for months (time reads left to right), horizontal bars for categories.
function barChart(groups, vertical, label) {
  const max = Math.max(1, ...groups.map((g) => g.count));
  const pic = svg('svg', { role: 'img', 'aria-label': label, class: 'chart',
    viewBox: vertical ? `0 0 ${Math.max(groups.length * 12, 120)} 100` : `0 0 300 ${groups.length * 22}`,
    preserveAspectRatio: 'none' });
  groups.forEach((g, i) => {
    const f = g.count / max;
    if (vertical) {
      pic.append(svg('rect', { x: i * 12 + 1, y: 100 - f * 96, width: 10, height: f * 96, class: 'bar' },
        undefined));
    } else {
      pic.append(svg('rect', { x: 0, y: i * 22 + 3, width: Math.max(1, f * 300), height: 16, class: 'bar' }));
    }
  });
  if (!vertical) pic.setAttribute('height', String(groups.length * 22));
  return pic;
}

export function createCharts(ctx, sec) {
  const { cfg, t } = ctx;
  const body = el('div', { class: 'charts' });
  sec.append(el('h2', { id: 'charts-title', tabindex: '-1' }, t('chartsTitle')), body);
  let seq = 0;

  async function chart(layer, by, title, my) {
    const bbox = ctx.bbox();
    const url = `/collections/${encodeURIComponent(layer.id)}/aggregate?bbox=${bbox.join(',')}&by=${encodeURIComponent(by)}`;
    const r = await fetch(url);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const doc = await r.json();
    if (my !== seq) return null;
    const isMonth = by === 'month';
    const field = layer.fields.find((f) => f.name === by);
    const groups = (doc.groups || []).map((g) => ({
      key: g.key === null ? t('noValue') : isMonth ? formatMonth(g.key, cfg.lang) : formatValue(field, g.key, cfg),
      count: Number(g.count) || 0,
    }));
    if (!isMonth) groups.sort((a, b) => b.count - a.count);
    const fig = el('figure', { class: 'chart-box' });
    const summary = groups.map((g) => `${g.key}: ${formatValue(null, g.count, cfg)}`).join('; ');
    fig.append(el('figcaption', {}, title));
    if (!groups.length) {
      fig.append(el('p', {}, t('chartEmpty')));
      return fig;
    }
    if (isMonth) {
      fig.append(barChart(groups, true, `${title}. ${summary}`),
        el('p', { class: 'axis', 'aria-hidden': 'true' },
          el('span', {}, groups[0].key), el('span', {}, groups[groups.length - 1].key)));
    } else {
      const list = el('div', { class: 'hbars', 'aria-hidden': 'true' });
      const max = Math.max(...groups.map((g) => g.count));
      for (const g of groups) {
        const bar = el('span', { class: 'hbar' });
        bar.style.width = `${Math.max(1, (g.count / max) * 100)}%`;
        list.append(el('div', { class: 'hrow' }, el('span', { class: 'hlabel' }, g.key), bar,
          el('span', { class: 'hval' }, formatValue(null, g.count, cfg))));
      }
      fig.append(el('div', { role: 'img', 'aria-label': `${title}. ${summary}` }, list));
    }
    fig.append(el('p', { class: 'total' }, t('chartTotal', { n: formatValue(null, doc.total ?? groups.reduce((n, g) => n + g.count, 0), cfg) })));
    if (doc.suppressed_groups > 0) fig.append(el('p', { class: 'note' }, t('chartSuppressed', { n: doc.suppressed_groups })));
    const tbl = el('table', { class: 'data small' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('chartKey')), el('th', { scope: 'col' }, t('chartCount')))),
      el('tbody', {}, ...groups.map((g) => el('tr', {}, el('td', {}, g.key), el('td', {}, formatValue(null, g.count, cfg))))));
    fig.append(el('details', {}, el('summary', {}, t('chartNumbers')), tbl));
    return fig;
  }

  async function refresh() {
    if (!ctx.isOpen('charts')) return;
    const my = ++seq;
    const fieldOf = (l) => categoryField(l, ctx.legendOf ? ctx.legendOf(l) : null);
    const layers = ctx.visibleIds().map((id) => cfg.byId.get(id))
      .filter((l) => l.group_month || fieldOf(l));
    if (!cfg.endpoints.aggregate || !layers.length) {
      body.replaceChildren(el('p', {}, t('chartsNone')));
      return;
    }
    const out = [];
    try {
      for (const l of layers) {
        out.push(el('h3', {}, l.title));
        if (l.group_month) out.push(await chart(l, 'month', t('byMonth', { title: l.title }), my));
        const cf = fieldOf(l);
        if (cf) out.push(await chart(l, cf.name, t('byField', { title: l.title, label: (cf.label || cf.name).toLowerCase() }), my));
      }
    } catch {
      if (my === seq) body.replaceChildren(el('p', {}, t('tableError')));
      return;
    }
    if (my !== seq || out.includes(null)) return;
    body.replaceChildren(...out);
    body.dataset.state = 'ready';
  }

  return { refresh };
}
