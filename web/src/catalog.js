// catalog.js — the only script of the catalog page, which works without it: shows the "Copiar"
// buttons next to the URLs a person copies into QGIS or another program.
import { copyText } from './common.js';

const done = { es: 'Copiado', en: 'Copied' }[document.documentElement.lang] || 'Copiado';
for (const btn of document.querySelectorAll('button.copy[data-copy]')) {
  const input = document.getElementById(btn.dataset.copy);
  if (!input) continue;
  const label = btn.textContent;
  btn.hidden = false;
  btn.addEventListener('click', async () => {
    const ok = await copyText(input.value, input);
    btn.textContent = ok ? done : label;
    setTimeout(() => { btn.textContent = label; }, 2000);
  });
}
