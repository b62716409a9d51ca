// embedpanel.js — "Insertar este mapa": the <iframe> code of the current view and layers, ready to
// copy into another site (the /embed page allows framing; see h_pages.c).
import { copyText, el } from './common.js';

export function embedUrl(ctx, controls) {
  const { cfg } = ctx;
  const map = ctx.map();
  const p = new URLSearchParams();
  p.set('layers', ctx.visibleIds().join(','));
  if (map) {
    const c = map.getCenter();
    p.set('center', `${c.lng.toFixed(5)},${c.lat.toFixed(5)}`);
    p.set('zoom', map.getZoom().toFixed(2));
  }
  p.set('controls', controls ? '1' : '0');
  p.set('lang', cfg.lang);
  return `${cfg.base}/embed/${encodeURIComponent(cfg.style)}?${p.toString().replace(/%2C/g, ',')}`;
}

function escapeAttr(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function createEmbedPanel(ctx, sec) {
  const { cfg, t } = ctx;
  const controls = el('input', { type: 'checkbox', id: 'embed-controls', checked: true });
  const height = el('select', { id: 'embed-height' },
    ...[300, 450, 600].map((h) => el('option', { value: h, selected: h === 450 }, String(h))));
  const code = el('textarea', { id: 'embed-code', readonly: true, rows: '5', spellcheck: 'false' });
  const msg = el('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const preview = el('a', { id: 'embed-preview', target: '_blank', rel: 'noopener' }, t('embedPreview'));
  const copy = el('button', { type: 'button', class: 'button', id: 'embed-copy' }, t('embedCopy'));
  copy.addEventListener('click', async () => {
    msg.textContent = (await copyText(code.value, code)) ? t('copied') : t('copyFailed');
  });
  sec.append(el('h2', { id: 'embed-title', tabindex: '-1' }, t('embedTitle')),
    el('p', {}, t('embedHelp')),
    el('p', { class: 'row' }, controls, el('label', { for: 'embed-controls' }, t('embedControls'))),
    el('p', { class: 'row' }, el('label', { for: 'embed-height' }, t('embedHeight')), height),
    el('p', {}, el('label', { for: 'embed-code' }, t('embedCode'))), code,
    el('p', { class: 'row' }, copy, preview), msg);

  function refresh() {
    const url = embedUrl(ctx, controls.checked);
    const titles = ctx.visibleIds().map((id) => cfg.byId.get(id).title).join(', ');
    code.value = `<iframe src="${escapeAttr(url)}" title="${escapeAttr(t('iframeTitle', { layers: titles }))}" ` +
      `width="100%" height="${height.value}" style="border:0" loading="lazy" ` +
      'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>';
    preview.href = url;
  }
  controls.addEventListener('change', refresh);
  height.addEventListener('change', refresh);
  return { refresh };
}
