// The search page. The URL is the whole state (q, filters, sort, page):
// links carry it, and the page fetches /api/v1/search for it and renders
// in place, keeping the browser history in step.

import { $, h, fill, api, taxonomy, label, month, severityBadge, snippet, inline, notice, count } from './common.js';
import { readState, toQuery, renderFacets, renderActive, hasFilters, clone } from './filters.js';

const PER_PAGE = 20;
/** The API serves no result beyond the 10,000th. */
const MAX_RESULTS = 10000;

const hrefFor = (state) => {
  const q = toQuery(state);
  return q ? `/?${q}` : '/';
};

let controller;

async function load({ focus } = {}) {
  const state = readState();
  const tax = await taxonomy();
  $('#q').value = state.q;
  $('#sort').value = state.sort;
  const summary = $('#summary');
  const message = $('#message');
  controller?.abort();
  controller = new AbortController();
  document.body.classList.add('loading');
  const params = new URLSearchParams(toQuery(state));
  params.set('per_page', String(PER_PAGE));
  let data;
  try {
    data = await api(`/api/v1/search?${params}`, { signal: controller.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    document.body.classList.remove('loading');
    fill($('#results'));
    fill($('#pages'));
    summary.textContent = 'The search did not run';
    if (err.code === 'query_syntax') {
      notice(message, 'error',
        h('p', {}, h('strong', {}, 'Check the query: '), err.message.replace(/^the query does not parse: /, ''), '.'),
        h('p', {}, err.hint ? ['To fix it, ', inline(err.hint), '. '] : '', 'Or search for the words without quotes, brackets and operators.'));
    } else if (err.status === 400) {
      notice(message, 'error', err.message, ' ', h('a', { href: '/' }, 'Start a new search'), '.');
    } else {
      const retry = h('button', { type: 'button' }, 'Try again');
      retry.addEventListener('click', () => load());
      notice(message, 'error', err.message, ' ', retry);
    }
    return;
  }
  document.body.classList.remove('loading');
  message.hidden = true;
  document.title = state.q ? `${state.q} · Search · nearmiss` : 'Search incident reports · nearmiss';
  renderFacets($('#facets'), data.facets, state, tax, hrefFor);
  renderActive($('#active'), state, tax, hrefFor);
  summary.textContent = data.total
    ? `${count(data.total, 'report', 'reports')}${state.q ? ` for “${state.q}”` : ''}`
    : 'No reports found';
  renderResults(data, state, tax);
  renderPager(data.total, state);
  renderAlso(state);
  if (!data.total) renderEmpty(state);
  if (focus) restoreFocus(focus);
}

function renderResults(data, state, tax) {
  fill($('#results'), data.hits.map((hit) => h('li', {},
    h('article', { class: 'hit' },
      h('h3', {}, h('a', { href: `/reports/${encodeURIComponent(hit.id)}` }, hit.title)),
      h('p', { class: 'meta' },
        h('span', {}, month(hit.month, hit.year)),
        severityBadge(tax, hit.severity),
        hit.trigger ? h('span', {}, label(tax, 'trigger', hit.trigger)) : null),
      hit.technologies.length
        ? h('ul', { class: 'chips', 'aria-label': 'Technologies' }, hit.technologies.map((t) =>
          h('li', {}, h('a', { class: 'chip', href: `/technologies/${encodeURIComponent(t)}` }, label(tax, 'tech', t)))))
        : null,
      h('p', { class: 'snippet' }, snippet(hit.snippet))))));
}

function renderEmpty(state) {
  const tips = [];
  if (hasFilters(state)) {
    tips.push(h('li', {}, 'Remove a filter: each one above narrows the results.'));
  }
  if (state.q) {
    tips.push(h('li', {}, 'Use fewer or more general words; every word must match.'));
    tips.push(h('li', {}, 'Check the spelling, or try a technology’s other name (postgres, pg).'));
  }
  if (state.page > 1) tips.push(h('li', {}, h('a', { href: hrefFor({ ...clone(state), page: 1 }), 'data-nav': '' }, 'Go back to the first page')));
  tips.push(h('li', {}, h('a', { href: '/' }, 'See every report'), ', or ', h('a', { href: '/technologies' }, 'browse by technology'), '.'));
  notice($('#message'), 'info', h('p', {}, 'Nothing matches this search. Try:'), h('ul', {}, tips));
}

function renderPager(total, state) {
  const nav = $('#pages');
  const last = Math.max(1, Math.ceil(Math.min(total, MAX_RESULTS) / PER_PAGE));
  if (last <= 1) {
    fill(nav);
    return;
  }
  const link = (page, text, attrs = {}) => {
    const s = clone(state);
    s.page = page;
    return h('a', { href: hrefFor(s), 'data-nav': '', 'data-page': page, ...attrs }, text);
  };
  const pages = new Set([1, last, state.page - 2, state.page - 1, state.page, state.page + 1, state.page + 2]);
  const shown = [...pages].filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  const items = [];
  if (state.page > 1) items.push(h('li', {}, link(state.page - 1, '← Previous', { rel: 'prev' })));
  let prev = 0;
  for (const p of shown) {
    if (p - prev > 1) items.push(h('li', { class: 'gap', 'aria-hidden': 'true' }, '…'));
    items.push(h('li', {}, p === state.page
      ? h('span', { 'aria-current': 'page', class: 'current' }, h('span', { class: 'vh' }, 'Page '), String(p))
      : link(p, [h('span', { class: 'vh' }, 'Page '), String(p)])));
    prev = p;
  }
  if (state.page < last) items.push(h('li', {}, link(state.page + 1, 'Next →', { rel: 'next' })));
  fill(nav, h('ul', {}, items));
}

function renderAlso(state) {
  const q = toQuery(state, { paging: false });
  fill($('#also'),
    h('a', { href: q ? `/stats?${q}` : '/stats' }, 'Statistics for this search'), ' · ',
    h('a', { href: `/feeds/reports.atom${q ? `?${q}` : ''}` }, 'Atom feed of this search'), ' · ',
    h('a', { href: `/api/v1/search?${q}` }, 'as JSON'));
}

/** Put focus back on the control the user activated, now re-rendered. */
function restoreFocus(focus) {
  let el = null;
  if (focus.facet) {
    el = document.querySelector(`a[data-facet="${CSS.escape(focus.facet)}"][data-value="${CSS.escape(focus.value)}"]`);
  }
  (el || $('#summary')).focus();
}

function navigate(href, focus) {
  history.pushState(null, '', href);
  load({ focus });
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'), a.dataset.facet ? { facet: a.dataset.facet, value: a.dataset.value } : {});
});

$('#search').addEventListener('submit', (e) => {
  e.preventDefault();
  const s = readState();
  s.q = $('#q').value.trim();
  s.page = 1;
  navigate(hrefFor(s), {});
});

$('#sort').addEventListener('change', () => {
  const s = readState();
  s.sort = $('#sort').value;
  s.page = 1;
  navigate(hrefFor(s));
});

window.addEventListener('popstate', () => load());
load();
