// One published report: every section, the timeline as offsets from the
// start, technologies linking to their profiles, the completeness
// checklist, amendments, and the similar incidents.

import {
  $, h, fill, api, taxonomy, label, description, month, minutes, severityBadge,
  placeholders, inline, markdown, snippet, notice,
} from './common.js';

const id = decodeURIComponent(location.pathname.split('/').pop() || '');

const USERS = {
  none: 'No users', few: 'A few users', some: 'Some users', most: 'Most users', all: 'All users',
};
const BLOCKS = { '00-06': 'night (00–06)', '06-12': 'morning (06–12)', '12-18': 'afternoon (12–18)', '18-24': 'evening (18–24)' };
const ACTION_STATUS = { open: 'open', 'in-progress': 'in progress', done: 'done', 'wont-do': 'won’t do' };

function section(title, ...body) {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { 'aria-labelledby': `s-${slug}` }, h('h2', { id: `s-${slug}` }, title), body);
}

function list(items, tag = 'ul') {
  return h(tag, {}, items.map((t) => h('li', {}, inline(t))));
}

function fact(term, value) {
  if (value === null || value === undefined || value === '') return null;
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function terms(tax, kind, ids) {
  return h('ul', { class: 'chips' }, ids.map((v) =>
    h('li', {}, h('span', { class: 'chip', title: description(tax, kind, v) || undefined }, label(tax, kind, v)))));
}

/**
 * The checklist a submitter saw, from what the published report holds. The
 * score is the one assessed when the report was received.
 */
function checklist(r) {
  const i = r.incident || {};
  const im = i.impact || {};
  return [
    ['start and end time', Boolean((i.month || i.year) && i.time_to_resolve_minutes !== null && i.time_to_resolve_minutes !== undefined)],
    ['who and what was impacted', Boolean(im.description || im.users_affected || im.categories?.length)],
    ['what went wrong', Boolean(r.root_causes.length || r.trigger)],
    ['lessons learned', r.lessons_learned.length > 0],
    ['technologies involved', r.technologies.length > 0],
    ['five whys', r.five_whys.length >= 2],
    ['human elements', r.human_factors.length > 0],
    ['what others can learn', Boolean(r.contributing_factors.length || r.mitigations.length)],
    ['time to detect', i.time_to_detect_minutes !== null && i.time_to_detect_minutes !== undefined && Boolean(i.detection)],
    ['action items', r.action_items.length > 0],
  ];
}

function render(r, tax) {
  const i = r.incident || {};
  const im = i.impact || {};
  document.title = `${r.title} · nearmiss`;
  const when = [month(i.month, i.year), i.time_of_day ? `in the ${BLOCKS[i.time_of_day] || i.time_of_day}` : null].filter(Boolean).join(', ');
  const parts = [
    h('h1', { id: 'title' }, placeholders(r.title)),
    h('p', { class: 'meta' },
      h('span', {}, when),
      severityBadge(tax, i.severity),
      r.trigger ? h('span', {}, 'Trigger: ', label(tax, 'trigger', r.trigger)) : null,
      h('span', {}, `Published ${r.published}`),
      r.modified && r.modified !== r.published ? h('span', {}, `updated ${r.modified}`) : null),
  ];
  if (r.synopsis) parts.push(h('div', { class: 'synopsis' }, h('strong', {}, 'Reviewer’s synopsis: '), placeholders(r.synopsis)));
  const dur = (m) => (m === null || m === undefined ? null : minutes(m));
  const facts = [
    fact('Industry', r.industry ? label(tax, 'industry', r.industry) : null),
    fact('Organisation size', r.organization_size ? (r.organization_size === 'undisclosed' ? 'withheld' : label(tax, 'organization_size', r.organization_size)) : null),
    fact('Detected by', i.detection ? label(tax, 'detection', i.detection) : null),
    fact('Time to detect', dur(i.time_to_detect_minutes)),
    fact('Time to mitigate', dur(i.time_to_mitigate_minutes)),
    fact('Time to resolve', dur(i.time_to_resolve_minutes)),
    fact('Users affected', im.users_affected ? USERS[im.users_affected] || im.users_affected : null),
    fact('Data lost', im.data_loss === true ? 'yes' : im.data_loss === false ? 'no' : null),
  ].filter(Boolean);
  if (facts.length) parts.push(h('dl', { class: 'facts' }, facts));
  parts.push(section('Summary', h('p', {}, inline(r.summary))));
  if (r.technologies.length) {
    parts.push(section('Technologies', h('ul', { class: 'chips' }, r.technologies.map((t) =>
      h('li', {}, h('a', { class: 'chip', href: `/technologies/${encodeURIComponent(t)}` }, label(tax, 'tech', t)))))));
  }
  if (im.description || im.categories?.length) {
    parts.push(section('Impact',
      im.categories?.length ? terms(tax, 'impact_category', im.categories) : null,
      im.description ? h('p', {}, inline(im.description)) : null));
  }
  if (r.timeline.length) {
    parts.push(section('Timeline',
      h('p', { class: 'fine' }, 'Times are offsets from the start of the incident.'),
      h('ol', { class: 'timeline' }, r.timeline.map((e) =>
        h('li', {}, h('span', { class: 'offset' }, e.offset), ' ', inline(e.event))))));
  }
  parts.push(section('The full account', h('div', { class: 'narrative' }, markdown(r.narrative, 3))));
  if (r.root_causes.length) parts.push(section('Root causes', list(r.root_causes)));
  if (r.contributing_factors.length) parts.push(section('Contributing factors', terms(tax, 'factor', r.contributing_factors)));
  if (r.five_whys.length) parts.push(section('Five whys', list(r.five_whys, 'ol')));
  if (r.human_factors.length) parts.push(section('Human factors', terms(tax, 'human_factor', r.human_factors)));
  if (r.mitigations.length) parts.push(section('What mitigated it', terms(tax, 'mitigation', r.mitigations)));
  if (r.lessons_learned.length) parts.push(section('Lessons learned', list(r.lessons_learned)));
  if (r.action_items.length) {
    parts.push(section('Action items', h('ul', {}, r.action_items.map((a) =>
      h('li', {}, inline(a.description), a.status ? h('span', { class: 'fine' }, ` — ${ACTION_STATUS[a.status] || a.status}`) : null)))));
  }
  if (r.amendments.length) {
    parts.push(section('Amendments',
      r.amendments.map((a) => h('div', { class: 'amendment' },
        h('p', { class: 'fine' }, `Added ${month(a.month)}`), markdown(a.text, 4)))));
  }
  const items = checklist(r);
  parts.push(section('Completeness',
    h('p', {}, h('span', { class: 'score' }, `${r.completeness}%`), ' of what a good public postmortem answers, as assessed when it was received.'),
    h('meter', { min: 0, max: 100, value: r.completeness, 'aria-label': 'Completeness' }),
    h('ul', { class: 'checklist' }, items.map(([item, present]) =>
      h('li', { class: present ? 'yes' : 'no' }, item, h('span', { class: 'vh' }, present ? ' (answered)' : ' (not answered)'))))));
  parts.push(h('p', { class: 'fine' },
    h('a', { href: `/api/v1/reports/${encodeURIComponent(r.id)}` }, 'This report as JSON'), ' · ',
    h('a', { href: '/' }, 'Back to search')));
  const article = $('#report');
  fill(article, parts);
  article.removeAttribute('aria-busy');
}

async function similar(tax) {
  let data;
  try {
    data = await api(`/api/v1/reports/${encodeURIComponent(id)}/similar?limit=5`);
  } catch {
    return;
  }
  const sec = $('#similar-section');
  sec.hidden = false;
  if (!data.hits.length) {
    fill($('#similar'), h('li', { class: 'fine' }, 'No other report is much like this one yet.'));
    return;
  }
  fill($('#similar'), data.hits.map((hit) => h('li', {}, h('article', { class: 'hit' },
    h('h3', {}, h('a', { href: `/reports/${encodeURIComponent(hit.id)}` }, hit.title)),
    h('p', { class: 'meta' }, h('span', {}, month(hit.month, hit.year)), severityBadge(tax, hit.severity),
      hit.trigger ? h('span', {}, label(tax, 'trigger', hit.trigger)) : null,
      hit.technologies.length ? h('span', {}, hit.technologies.map((t) => label(tax, 'tech', t)).join(', ')) : null),
    h('p', { class: 'snippet' }, snippet(hit.snippet))))));
}

async function main() {
  const tax = await taxonomy();
  try {
    const r = await api(`/api/v1/reports/${encodeURIComponent(id)}`);
    render(r, tax);
  } catch (err) {
    $('#report').removeAttribute('aria-busy');
    fill($('#title'), err.status === 404 || err.status === 400 ? 'Report not found' : 'The report could not be loaded');
    notice($('#message'), 'error',
      err.status === 404 || err.status === 400
        ? 'No published report has this address. It may still be waiting for review, or its submitter withdrew it. '
        : `${err.message} `,
      h('a', { href: '/' }, 'Search the registry'), '.');
    return;
  }
  similar(tax);
}

main();
