// A technology's profile from the evidence: how often it appears, what
// sets its incidents off, what contributes, what fixes them, how long they
// last, what it fails together with, recurring lessons and recent reports.

import { $, h, fill, api, taxonomy, label, minutes, month, severityBadge, notice } from './common.js';

const name = decodeURIComponent(location.pathname.split('/').pop() || '');

function shares(list, tax, kind, k, linkTech) {
  if (!list.length) return h('p', { class: 'fine' }, 'None recorded.');
  return h('ul', { class: 'shares' }, list.map((s) => {
    const text = label(tax, kind, s.value);
    return h('li', {},
      linkTech ? h('a', { href: `/technologies/${encodeURIComponent(s.value)}` }, text) : h('span', {}, text),
      h('span', { class: 'n' }, s.suppressed ? `< ${k} reports` : `${Math.round(s.share * 100)}%`),
      s.suppressed
        ? h('span', { class: 'bar-none', 'aria-hidden': 'true' })
        : h('meter', { min: 0, max: 1, value: s.share, 'aria-label': `${text}: share of reports` }));
  }));
}

function render(p, tax) {
  document.title = `${p.name} · Technologies · nearmiss`;
  const d = p.durations;
  const dur = (key, title) => {
    const c = d[key];
    return h('tr', {}, h('th', { scope: 'row' }, title),
      h('td', { class: 'num' }, c.suppressed ? `< ${p.k}` : String(c.count)),
      h('td', { class: 'num' }, c.suppressed ? '—' : minutes(c.p50)),
      h('td', { class: 'num' }, c.suppressed ? '—' : minutes(c.p90)),
      h('td', { class: 'num' }, c.suppressed ? '—' : minutes(c.p99)));
  };
  const filter = `tech=${encodeURIComponent(p.id)}`;
  fill($('#profile'),
    h('h1', { id: 'title' }, p.name),
    h('p', { class: 'meta' },
      h('span', {}, label(tax, 'category', p.category)),
      h('span', {}, `${p.reports.toLocaleString('en')} published report${p.reports === 1 ? '' : 's'}`),
      p.aliases.length ? h('span', {}, `also called ${p.aliases.join(', ')}`) : null),
    h('p', {}, h('a', { href: `/?${filter}` }, `Search reports naming ${p.name}`), ' · ',
      h('a', { href: `/stats?${filter}` }, 'Statistics'), ' · ',
      h('a', { href: `/feeds/reports.atom?${filter}` }, 'Atom feed'), ' · ',
      h('a', { href: '/technologies' }, 'All technologies')),
    p.reports ? null : h('div', { class: 'notice notice-info' }, `No published report names ${p.name} yet.`),
    h('p', { class: 'fine' }, `Shares of the ${p.reports.toLocaleString('en')} reports naming ${p.name}. Values seen in fewer than ${p.k} reports show as “< ${p.k}”, so no small group can be singled out.`),
    h('div', { class: 'stat-grid' },
      h('section', {}, h('h2', {}, 'What sets it off'), shares(p.triggers, tax, 'trigger', p.k)),
      h('section', {}, h('h2', {}, 'What contributes'), shares(p.contributing_factors, tax, 'factor', p.k)),
      h('section', {}, h('h2', {}, 'What fixed it'), shares(p.mitigations, tax, 'mitigation', p.k)),
      h('section', {}, h('h2', {}, 'Fails together with'), shares(p.fails_with, tax, 'tech', p.k, true))),
    h('h2', {}, 'How long incidents last'),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Measure'), h('th', { scope: 'col', class: 'num' }, 'Reports'),
        h('th', { scope: 'col', class: 'num' }, 'p50'), h('th', { scope: 'col', class: 'num' }, 'p90'), h('th', { scope: 'col', class: 'num' }, 'p99'))),
      h('tbody', {}, dur('time_to_detect', 'Time to detect'), dur('time_to_mitigate', 'Time to mitigate'), dur('time_to_resolve', 'Time to resolve')))),
    h('h2', {}, 'Lessons that recur'),
    p.lessons.length
      ? h('ul', {}, p.lessons.map((l) => h('li', {}, `“${l.phrase}”`, h('span', { class: 'fine' }, ` in ${l.reports} reports`))))
      : h('p', { class: 'fine' }, `No phrase recurs in the lessons of at least ${p.k} reports yet.`),
    h('h2', {}, 'Newest reports'),
    p.recent.length
      ? h('ul', { class: 'results compact' }, p.recent.map((hit) => h('li', {}, h('article', { class: 'hit' },
        h('h3', {}, h('a', { href: `/reports/${encodeURIComponent(hit.id)}` }, hit.title)),
        h('p', { class: 'meta' }, h('span', {}, month(hit.month, hit.year)), severityBadge(tax, hit.severity),
          hit.trigger ? h('span', {}, label(tax, 'trigger', hit.trigger)) : null)))))
      : h('p', { class: 'fine' }, 'None yet.'));
  $('#profile').removeAttribute('aria-busy');
}

async function main() {
  const tax = await taxonomy();
  try {
    render(await api(`/api/v1/technologies/${encodeURIComponent(name)}`), tax);
  } catch (err) {
    $('#profile').removeAttribute('aria-busy');
    fill($('#title'), err.status === 404 ? 'Unknown technology' : 'The profile could not be loaded');
    notice($('#message'), 'error',
      err.status === 404 ? `The registry does not know “${name}”. ` : `${err.message} `,
      h('a', { href: '/technologies' }, 'See every technology'), ' or ', h('a', { href: `/?q=${encodeURIComponent(name)}` }, 'search for it'), '.');
  }
}

main();
