// The index of technologies: the taxonomy grouped by category, each with
// its count of published reports (the search's technology facet over the
// whole registry), filterable as you type.

import { $, h, fill, api, taxonomy, label, notice, errorMessage } from './common.js';

let entries = [];

function render() {
  const needle = $('#filter').value.trim().toLowerCase();
  const all = $('#all').checked;
  const groups = new Map();
  let shown = 0;
  for (const e of entries) {
    if (!all && !e.count) continue;
    if (needle && !e.name.toLowerCase().includes(needle) && !e.id.includes(needle)) continue;
    if (!groups.has(e.category)) groups.set(e.category, []);
    groups.get(e.category).push(e);
    shown++;
  }
  const ordered = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  $('#summary').textContent = shown
    ? `${shown} technolog${shown === 1 ? 'y' : 'ies'} in ${ordered.length} categor${ordered.length === 1 ? 'y' : 'ies'}.`
    : 'No technology matches. Clear the box, or tick “Show technologies without reports”.';
  fill($('#list'), ordered.map(([cat, list]) => h('section', { 'aria-labelledby': `cat-${cat}` },
    h('h2', { id: `cat-${cat}` }, label(null, 'category', cat)),
    h('ul', {}, list.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).map((e) =>
      h('li', { class: e.count ? '' : 'none' },
        h('a', { href: `/technologies/${encodeURIComponent(e.id)}` }, e.name),
        h('span', { class: 'fine' }, e.count ? `${e.count.toLocaleString('en')} report${e.count === 1 ? '' : 's'}` : 'none')))))));
}

async function main() {
  const tax = await taxonomy();
  let facets = {};
  try {
    const data = await api('/api/v1/search?per_page=1');
    facets = data.facets.tech || {};
  } catch (err) {
    notice($('#message'), 'error', errorMessage(err), ' Showing the technologies without their counts.');
  }
  entries = tax.technologies.map((t) => ({ id: t.id, name: t.name, category: t.category, count: facets[t.id] || 0 }));
  // Technologies outside the taxonomy that reports named anyway.
  for (const [id, n] of Object.entries(facets)) {
    if (!tax.tech.has(id)) entries.push({ id, name: id, category: 'other', count: n });
  }
  if (!entries.some((e) => e.count)) $('#all').checked = true;
  render();
}

$('#filter').addEventListener('input', render);
$('#all').addEventListener('change', render);
main();
