// The statistics page: the same query and filters as search (in the URL),
// the server's SVG charts, and the tables, with every cell under k shown as
// "< k" rather than a number.

import { $, h, fill, api, taxonomy, label, minutes, notice, errorMessage, count } from './common.js';
import { readState, toQuery, renderFacets, renderActive } from './filters.js';

const TOP = 12;
const hrefFor = (state) => {
  const q = toQuery(state, { paging: false });
  return q ? `/stats?${q}` : '/stats';
};

const MEASURES = [
  ['time_to_detect', 'Time to detect'],
  ['time_to_mitigate', 'Time to mitigate'],
  ['time_to_resolve', 'Time to resolve'],
];
const DIMENSIONS = [
  ['trigger', 'Trigger', 'trigger'],
  ['technology', 'Technology', 'tech'],
  ['category', 'Technology category', 'category'],
  ['contributing_factor', 'Contributing factor', 'factor'],
  ['industry', 'Industry', 'industry'],
  ['severity', 'Severity', 'severity'],
  ['detection', 'Detection', 'detection'],
  ['mitigation', 'Mitigation', 'mitigation'],
  ['year', 'Incident year', 'year'],
];

let k = 5;
const cell = (c) => (c.suppressed ? h('span', { class: 'suppressed', title: `fewer than ${k} reports` }, `< ${k}`) : (c.count ?? 0).toLocaleString('en'));
const mins = (c, key) => (c.suppressed ? h('span', { class: 'suppressed' }, '—') : minutes(c[key]));

function table(caption, head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'vh' }, caption),
    h('thead', {}, h('tr', {}, head.map(([text, num]) => h('th', { scope: 'col', class: num ? 'num' : undefined }, text)))),
    h('tbody', {}, rows)));
}

function durationsTable(stats) {
  return table('Durations in minutes', [['Measure'], ['Reports', 1], ['p50', 1], ['p90', 1], ['p99', 1], ['Mean', 1]],
    MEASURES.map(([key, name]) => {
      const c = stats.durations[key].overall;
      return h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'num' }, cell(c)),
        h('td', { class: 'num' }, mins(c, 'p50')), h('td', { class: 'num' }, mins(c, 'p90')),
        h('td', { class: 'num' }, mins(c, 'p99')), h('td', { class: 'num' }, c.suppressed ? '—' : minutes(Math.round(c.mean))));
    }));
}

function groupTable(stats, grouping, tax, kind, title) {
  const rows = stats.durations.time_to_resolve[grouping]
    .filter((c) => !c.suppressed)
    .sort((a, b) => b.count - a.count)
    .slice(0, TOP);
  const hidden = stats.durations.time_to_resolve[grouping].length - rows.length;
  return [h('h3', {}, title),
    rows.length
      ? table(title, [[kind === 'trigger' ? 'Trigger' : 'Category'], ['Reports', 1], ['p50', 1], ['p90', 1]],
        rows.map((c) => h('tr', {}, h('th', { scope: 'row' }, label(tax, kind, c.group)),
          h('td', { class: 'num' }, cell(c)), h('td', { class: 'num' }, mins(c, 'p50')), h('td', { class: 'num' }, mins(c, 'p90')))))
      : h('p', { class: 'fine' }, `Every group has fewer than ${k} reports.`),
    hidden > 0 ? h('p', { class: 'fine' }, `${hidden} more group${hidden === 1 ? '' : 's'} not shown (smaller, or under ${k} reports).`) : null];
}

function countsTable(cells, name, tax, kind) {
  const shown = cells.slice(0, TOP);
  return h('section', {}, h('h3', {}, name),
    table(`Reports per ${name.toLowerCase()}`, [[name], ['Reports', 1]],
      shown.map((c) => h('tr', {}, h('th', { scope: 'row' }, label(tax, kind, c.value)), h('td', { class: 'num' }, cell(c))))),
    cells.length > TOP ? h('p', { class: 'fine' }, `and ${cells.length - TOP} more in the CSV.`) : null);
}

function pairTable(rows, a, b, tax, kindA, kindB, title) {
  const top = rows.filter((r) => !r.suppressed).sort((x, y) => y.count - x.count).slice(0, TOP);
  return [h('h3', {}, title),
    top.length
      ? table(title, [[a.title], [b.title], ['Reports', 1]], top.map((r) => h('tr', {},
        h('td', {}, label(tax, kindA, r[a.key])), h('td', {}, label(tax, kindB, r[b.key])), h('td', { class: 'num' }, cell(r)))))
      : h('p', { class: 'fine' }, `No combination reaches ${k} reports.`)];
}

function render(stats, state, tax) {
  const q = toQuery(state, { paging: false });
  const suffix = q ? `?${q}` : '';
  const amp = q ? `&${q}` : '';
  const chart = (name, caption, alt) => h('figure', {},
    h('figcaption', {}, caption),
    h('img', { src: `/api/v1/stats/charts/${name}.svg${suffix}`, alt, class: 'chart', 'data-chart': name, width: 900, height: 480 }),
    h('a', { href: `/api/v1/stats/charts/${name}.svg${suffix}`, class: 'fine' }, `${caption} as SVG`));
  const csv = (table, text) => h('li', {}, h('a', { href: `/api/v1/stats?format=csv&table=${table}${amp}` }, text));
  const trendRows = stats.trend.slice().sort((a, b) => a.quarter.localeCompare(b.quarter));
  fill($('#stats'),
    h('p', { class: 'fine' }, `Cells counting fewer than ${k} reports are shown as “< ${k}” so that no small group can be singled out. Durations lead with percentiles because they are skewed.`),
    h('div', { class: 'charts' },
      chart('trend', 'Reports per quarter', 'Line chart of reports per incident quarter for this selection'),
      chart('durations', 'Time to detect, mitigate and resolve', 'Chart of duration percentiles for this selection'),
      chart('failure-modes', 'Failure modes', 'Bar chart of the most common triggers for this selection')),
    h('h2', {}, 'Download'),
    h('ul', { class: 'downloads' },
      h('li', {}, h('a', { href: `/api/v1/stats${suffix}` }, 'All of it as JSON')),
      csv('counts', 'Counts (CSV)'), csv('trend', 'Trend (CSV)'), csv('durations', 'Durations (CSV)'),
      csv('histogram', 'Duration histogram (CSV)'), csv('technology_trigger', 'Technology × trigger (CSV)'),
      csv('technology_factor', 'Technology × factor (CSV)'), csv('technology_pairs', 'Technology pairs (CSV)')),
    h('h2', {}, 'Durations'),
    durationsTable(stats),
    h('div', { class: 'stat-grid wide' },
      h('section', {}, groupTable(stats, 'by_trigger', tax, 'trigger', 'Time to resolve by trigger')),
      h('section', {}, groupTable(stats, 'by_category', tax, 'category', 'Time to resolve by technology category'))),
    h('h2', {}, 'Counts'),
    h('div', { class: 'stat-grid' }, DIMENSIONS.filter(([key]) => stats.counts[key]?.length)
      .map(([key, name, kind]) => countsTable(stats.counts[key], name, tax, kind))),
    h('h2', {}, 'Reports per quarter'),
    trendRows.length
      ? table('Reports per incident quarter', [['Quarter'], ['Reports', 1]], trendRows.map((c) =>
        h('tr', {}, h('th', { scope: 'row' }, c.quarter), h('td', { class: 'num' }, cell(c)))))
      : h('p', { class: 'fine' }, 'No report in this selection has a published month.'),
    h('p', { class: 'fine' }, 'Reports whose month was withheld count in the year table above but not per quarter.'),
    h('h2', {}, 'Technologies and failure modes'),
    h('div', { class: 'stat-grid wide' },
      h('section', {}, pairTable(stats.technology_trigger, { key: 'technology', title: 'Technology' }, { key: 'trigger', title: 'Trigger' }, tax, 'tech', 'trigger', 'Technology × trigger')),
      h('section', {}, pairTable(stats.technology_factor, { key: 'technology', title: 'Technology' }, { key: 'contributing_factor', title: 'Contributing factor' }, tax, 'tech', 'factor', 'Technology × contributing factor')),
      h('section', {}, pairTable(stats.technology_pairs, { key: 'technology_a', title: 'Technology' }, { key: 'technology_b', title: 'Fails with' }, tax, 'tech', 'tech', 'Technologies in the same incident'))));
}

let controller;

async function load({ focus } = {}) {
  const state = readState();
  const tax = await taxonomy();
  $('#q').value = state.q;
  const q = toQuery(state, { paging: false });
  controller?.abort();
  controller = new AbortController();
  document.body.classList.add('loading');
  try {
    const [stats, search] = await Promise.all([
      api(`/api/v1/stats${q ? `?${q}` : ''}`, { signal: controller.signal }),
      api(`/api/v1/search?per_page=1${q ? `&${q}` : ''}`, { signal: controller.signal }),
    ]);
    k = stats.k;
    $('#message').hidden = true;
    $('#summary').textContent = `${count(stats.total, 'report', 'reports')}${state.q ? ` matching “${state.q}”` : ''}`;
    renderFacets($('#facets'), search.facets, state, tax, hrefFor);
    renderActive($('#active'), state, tax, hrefFor);
    if (stats.total) render(stats, state, tax);
    else {
      fill($('#stats'));
      notice($('#message'), 'info', 'No published report matches. Remove a filter or change the words above.');
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
    fill($('#stats'));
    $('#summary').textContent = 'No statistics';
    notice($('#message'), 'error', errorMessage(err), ' Change the query above, or ', h('a', { href: '/stats' }, 'see the whole registry'), '.');
  } finally {
    document.body.classList.remove('loading');
  }
  if (focus) {
    const el = focus.facet && document.querySelector(`a[data-facet="${CSS.escape(focus.facet)}"][data-value="${CSS.escape(focus.value)}"]`);
    (el || $('#summary')).focus();
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  load({ focus: a.dataset.facet ? { facet: a.dataset.facet, value: a.dataset.value } : {} });
});

$('#search').addEventListener('submit', (e) => {
  e.preventDefault();
  const s = readState();
  s.q = $('#q').value.trim();
  history.pushState(null, '', hrefFor(s));
  load({ focus: {} });
});

window.addEventListener('popstate', () => load());
load();
