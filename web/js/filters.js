// Search state in the URL and the facet sidebar, shared by the search and
// statistics pages: both take `q` and the same filters, so a search can be
// turned into its statistics and back by changing the path alone.

import { h, fill, label, description } from './common.js';

export const FILTERS = ['tech', 'trigger', 'factor', 'mitigation', 'industry', 'severity', 'detection', 'year'];

/** The sidebar, in this order; the last two start folded. */
const FACETS = [
  ['tech', 'Technology'],
  ['trigger', 'Trigger'],
  ['factor', 'Contributing factor'],
  ['industry', 'Industry'],
  ['severity', 'Severity'],
  ['year', 'Incident year'],
  ['mitigation', 'Mitigation'],
  ['detection', 'Detection'],
];
const FACET_NAMES = Object.fromEntries(FACETS);
const SHOWN = 8;
const SEVERITY_ORDER = ['sev1', 'sev2', 'sev3', 'sev4', 'near-miss'];

/** The state in a query string. Unknown parameters are dropped. */
export function readState(search = location.search) {
  const p = new URLSearchParams(search);
  const state = { q: (p.get('q') || '').trim(), filters: {}, from: p.get('from') || '', to: p.get('to') || '' };
  for (const f of FILTERS) state.filters[f] = p.getAll(f).filter(Boolean);
  state.sort = p.get('sort') || 'relevance';
  state.page = Math.max(1, parseInt(p.get('page') || '1', 10) || 1);
  return state;
}

/** The query string of a state; `paging` adds sort and page. */
export function toQuery(state, { paging = true } = {}) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FILTERS) for (const v of state.filters[f] || []) p.append(f, v);
  if (state.from) p.set('from', state.from);
  if (state.to) p.set('to', state.to);
  if (paging) {
    if (state.sort && state.sort !== 'relevance') p.set('sort', state.sort);
    if (state.page > 1) p.set('page', String(state.page));
  }
  return p.toString();
}

export function clone(state) {
  return { ...state, filters: Object.fromEntries(FILTERS.map((f) => [f, [...(state.filters[f] || [])]])) };
}

/** The state with `value` of `facet` switched on or off (back to page 1). */
export function toggled(state, facet, value) {
  const s = clone(state);
  s.page = 1;
  const list = s.filters[facet];
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  else list.push(value);
  return s;
}

export function isActive(state, facet, value) {
  return (state.filters[facet] || []).includes(value);
}

export function hasFilters(state) {
  return Boolean(state.from || state.to || FILTERS.some((f) => state.filters[f].length));
}

/** Every active filter as [facet, value, display text], for chips. */
export function activeFilters(state, tax) {
  const out = [];
  for (const f of FILTERS) {
    for (const v of state.filters[f]) out.push([f, v, `${FACET_NAMES[f]}: ${label(tax, f, v)}`]);
  }
  if (state.from || state.to) out.push(['range', '', `Months: ${state.from || '…'} to ${state.to || '…'}`]);
  return out;
}

/** The "remove" link of each active filter, and "clear all". */
export function renderActive(container, state, tax, hrefFor) {
  const active = activeFilters(state, tax);
  if (!active.length) {
    container.hidden = true;
    fill(container);
    return;
  }
  container.hidden = false;
  const items = active.map(([facet, value, text]) => {
    let next;
    if (facet === 'range') {
      next = clone(state);
      next.from = '';
      next.to = '';
      next.page = 1;
    } else next = toggled(state, facet, value);
    return h('li', {}, h('a', { class: 'chip chip-active', href: hrefFor(next), 'data-nav': '' },
      text, h('span', { 'aria-hidden': 'true' }, ' ×'), h('span', { class: 'vh' }, ' (remove this filter)')));
  });
  const cleared = clone(state);
  for (const f of FILTERS) cleared.filters[f] = [];
  cleared.from = '';
  cleared.to = '';
  cleared.page = 1;
  fill(container,
    h('h2', { class: 'vh' }, 'Active filters'),
    h('ul', { class: 'chips' }, items,
      h('li', {}, h('a', { href: hrefFor(cleared), 'data-nav': '', class: 'clear' }, 'Clear all filters'))));
}

function facetLink(state, tax, facet, value, n, hrefFor) {
  const on = isActive(state, facet, value);
  const name = label(tax, facet, value);
  const title = description(tax, facet, value) || undefined;
  return h('li', {},
    h('a', {
      href: hrefFor(toggled(state, facet, value)),
      class: on ? 'facet on' : 'facet',
      'aria-current': on ? 'true' : undefined,
      'data-nav': '',
      'data-facet': facet,
      'data-value': value,
      title,
    },
    h('span', { class: 'facet-box', 'aria-hidden': 'true' }, on ? '✓' : ''),
    h('span', { class: 'facet-name' }, name),
    h('span', { class: 'vh' }, on ? ' (selected; activate to remove)' : ''),
    h('span', { class: 'facet-count' }, n === undefined ? '' : n.toLocaleString('en'))));
}

function sortedEntries(facet, counts) {
  const entries = Object.entries(counts || {});
  if (facet === 'year') return entries.sort((a, b) => b[0].localeCompare(a[0]));
  if (facet === 'severity') {
    return entries.sort((a, b) => SEVERITY_ORDER.indexOf(a[0]) - SEVERITY_ORDER.indexOf(b[0]));
  }
  return entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** A list of facet values: the first few, and the rest behind a button. */
function valueList(state, tax, facet, entries, hrefFor, labelText) {
  const active = entries.filter(([v]) => isActive(state, facet, v));
  const shown = entries.slice(0, SHOWN);
  for (const a of active) if (!shown.includes(a)) shown.push(a);
  const ul = h('ul', { class: 'facet-list', 'aria-label': labelText },
    shown.map(([v, n]) => facetLink(state, tax, facet, v, n, hrefFor)));
  const rest = entries.filter((e) => !shown.includes(e));
  if (!rest.length) return ul;
  const more = h('ul', { class: 'facet-list', hidden: true, 'aria-label': `${labelText}, more` },
    rest.map(([v, n]) => facetLink(state, tax, facet, v, n, hrefFor)));
  const button = h('button', { type: 'button', class: 'link more', 'aria-expanded': 'false' }, `Show ${rest.length} more`);
  button.addEventListener('click', () => {
    const open = more.hidden;
    more.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? 'Show fewer' : `Show ${rest.length} more`;
  });
  return [ul, more, button];
}

/** Technologies grouped by their taxonomy category. */
function techGroups(state, tax, counts, hrefFor) {
  const groups = new Map();
  for (const [id, n] of sortedEntries('tech', counts)) {
    const cat = tax.tech.get(id)?.category || 'other';
    if (!groups.has(cat)) groups.set(cat, []);
    groups.get(cat).push([id, n]);
  }
  const ordered = [...groups.entries()].sort((a, b) => b[1][0][1] - a[1][0][1]);
  return ordered.map(([cat, entries], i) => {
    const hasActive = entries.some(([v]) => isActive(state, 'tech', v));
    const name = label(tax, 'category', cat);
    return h('details', { class: 'group', open: hasActive || i < 3 },
      h('summary', {}, name),
      valueList(state, tax, 'tech', entries, hrefFor, `Technologies: ${name}`));
  });
}

/**
 * The facet sidebar from a search answer's `facets`. Each value is a link
 * to the state with it toggled, so it works as a plain link (new tab, no
 * script) and the page can intercept it to update in place.
 */
export function renderFacets(container, facets, state, tax, hrefFor) {
  const sections = FACETS.map(([facet, title], i) => {
    const counts = facets?.[facet] || {};
    const withActive = { ...counts };
    // A filter with no hits still shows, so it can be switched off.
    for (const v of state.filters[facet] || []) if (!(v in withActive)) withActive[v] = 0;
    const entries = sortedEntries(facet, withActive);
    if (!entries.length) return null;
    const id = `facet-${facet}`;
    const body = facet === 'tech'
      ? techGroups(state, tax, Object.fromEntries(entries), hrefFor)
      : valueList(state, tax, facet, entries, hrefFor, title);
    const activeHere = entries.filter(([v]) => isActive(state, facet, v)).length;
    return h('details', { class: 'facet-group', open: i < 6 || activeHere > 0 },
      h('summary', { id }, h('h3', {}, title, activeHere ? h('span', { class: 'badge' }, ` ${activeHere} on`) : null)),
      body,
      facet === 'year'
        ? h('p', { class: 'fine' }, 'Years include reports whose month was withheld to keep them anonymous.')
        : null);
  });
  if (!sections.some(Boolean)) {
    fill(container);
    return;
  }
  fill(container, h('h2', {}, 'Narrow down'), sections);
}

