// The review console. The session lives in an HttpOnly cookie this script
// cannot read; every change it makes sends the session's CSRF token, which
// the server hands over at login and on GET /api/v1/auth/session.

import {
  $, h, fill, api, taxonomy, label, month, minutes, placeholders, markdown, notice, errorMessage,
} from './common.js';

const KINDS = [
  ['organization', 'Organisation'], ['products', 'Product'], ['people', 'Person'],
  ['locations', 'Place'], ['other', 'Other'],
];
/** What the k-anonymity check may publish in a coarser form. */
const GENERALISED = { organization_size: 'organisation size (as “undisclosed”)', 'incident.month': 'incident month (as the year)' };
let session = null;
let tax;
/** The last text selected inside the report, kept for "redact selection". */
let selected = '';

const message = $('#message');

function kindSelect(id, labelText) {
  return h('select', { id, 'aria-label': labelText }, KINDS.map(([k, name]) => h('option', { value: k, selected: k === 'other' }, name)));
}

function signedOut(text) {
  session = null;
  $('#console').hidden = true;
  $('#login').hidden = false;
  if (text) notice(message, 'info', text);
  $('#l-name').focus();
}

/** A change to the registry, with the CSRF token; re-login on 401. */
async function change(path, body, method = 'POST') {
  try {
    return await api(path, { method, body, csrf: session?.csrf_token });
  } catch (err) {
    if (err.status === 401) signedOut('Your session ended. Sign in again.');
    throw err;
  }
}

// ---- the queue -----------------------------------------------------------

async function loadQueue() {
  const q = await api('/api/v1/review/queue');
  const current = new URLSearchParams(location.search).get('id');
  $('#queue-title').textContent = `Queue (${q.reports.length})`;
  if (!q.reports.length) {
    fill($('#queue'), h('p', { class: 'fine' }, 'Nothing is waiting for review.'));
    return;
  }
  fill($('#queue'), h('ul', { class: 'queue' }, q.reports.map((r) => h('li', {},
    h('a', { href: `/review?id=${encodeURIComponent(r.id)}`, 'data-id': r.id, 'aria-current': r.id === current ? 'true' : undefined },
      h('span', { class: 'title' }, placeholders(r.title)),
      h('span', { class: 'meta' },
        h('span', {}, r.age_days === 0 ? 'received today' : `${r.age_days} day${r.age_days === 1 ? '' : 's'} old`),
        h('span', {}, `completeness ${r.completeness}%`),
        r.flags ? h('span', {}, `${r.flags} flag${r.flags === 1 ? '' : 's'}`) : null,
        r.amendments ? h('span', {}, `${r.amendments} amendment${r.amendments === 1 ? '' : 's'}`) : null))))));
}

// ---- one report ----------------------------------------------------------

function field(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}

function content(c) {
  const i = c.incident || {};
  const rows = [
    field('Title', placeholders(c.title)),
    field('Summary', placeholders(c.summary)),
    field('Facts', [
      c.industry ? label(tax, 'industry', c.industry) : 'industry not given',
      c.organization_size ? label(tax, 'organization_size', c.organization_size) : 'size not given',
      month(i.month, i.year), i.time_of_day ? `block ${i.time_of_day}` : null,
      i.severity ? label(tax, 'severity', i.severity) : null,
      i.detection ? `detected by ${label(tax, 'detection', i.detection)}` : null,
      `detect ${minutes(i.time_to_detect_minutes)}`, `mitigate ${minutes(i.time_to_mitigate_minutes)}`, `resolve ${minutes(i.time_to_resolve_minutes)}`,
    ].filter(Boolean).join(' · ')),
  ];
  if (c.technologies.length) rows.push(field('Technologies', c.technologies.map((t) => label(tax, 'tech', t)).join(', ')));
  if (c.trigger) rows.push(field('Trigger', label(tax, 'trigger', c.trigger)));
  if (c.contributing_factors.length) rows.push(field('Contributing factors', c.contributing_factors.map((v) => label(tax, 'factor', v)).join(', ')));
  if (c.mitigations.length) rows.push(field('Mitigations', c.mitigations.map((v) => label(tax, 'mitigation', v)).join(', ')));
  if (c.human_factors.length) rows.push(field('Human factors', c.human_factors.map((v) => label(tax, 'human_factor', v)).join(', ')));
  if (i.impact?.description) rows.push(field('Impact', placeholders(i.impact.description)));
  if (c.timeline.length) {
    rows.push(field('Timeline', h('ol', { class: 'timeline' }, c.timeline.map((e) =>
      h('li', {}, h('span', { class: 'offset' }, e.offset), ' ', placeholders(e.event))))));
  }
  rows.push(field('Narrative', markdown(c.narrative, 4)));
  for (const [k, name] of [['root_causes', 'Root causes'], ['five_whys', 'Five whys'], ['lessons_learned', 'Lessons learned']]) {
    if (c[k].length) rows.push(field(name, h('ul', {}, c[k].map((t) => h('li', {}, placeholders(t))))));
  }
  if (c.action_items.length) {
    rows.push(field('Action items', h('ul', {}, c.action_items.map((a) => h('li', {}, placeholders(a.description), a.status ? ` (${a.status})` : '')))));
  }
  return h('dl', { class: 'review-text', id: 'review-text' }, rows);
}

function decisionForm(id, title, fieldLabel, name, required, button, cls, onSubmit) {
  const fid = `d-${name}`;
  const form = h('form', { id: `form-${name}` },
    h('h3', {}, title),
    h('div', { class: 'field' }, h('label', { for: fid }, fieldLabel), h('textarea', { id: fid, rows: 3, required })),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: cls }, button)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $(`#${fid}`).value.trim();
    if (required && !text) {
      $(`#${fid}`).focus();
      return;
    }
    try {
      await onSubmit(id, text);
    } catch (err) {
      if (err.status !== 401) notice(message, 'error', errorMessage(err));
    }
  });
  return form;
}

async function redact(id, terms) {
  const r = await change(`/api/v1/review/${encodeURIComponent(id)}/redact`, { terms });
  const n = r.findings.reduce((s, f) => s + f.count, 0);
  await openItem(id, { keepFocus: true });
  notice(message, 'ok', `Redacted ${n} occurrence${n === 1 ? '' : 's'}.`);
}

async function openItem(id, { keepFocus } = {}) {
  const sec = $('#item');
  let it;
  try {
    it = await api(`/api/v1/review/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 401) return signedOut('Your session ended. Sign in again.');
    sec.hidden = false;
    fill(sec, h('h2', { id: 'item-title' }, 'Report not found'), h('p', {}, err.status === 404 ? 'It may have been withdrawn or decided already.' : err.message));
    return;
  }
  // A notice about the previous report does not belong to this one.
  if (!keepFocus) message.hidden = true;
  for (const a of document.querySelectorAll('.queue a')) {
    if (a.dataset.id === id) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  }
  const parts = [
    h('h2', { id: 'item-title' }, placeholders(it.content.title)),
    h('p', { class: 'meta' }, h('span', {}, `Status: ${it.status}`), h('span', {}, `received ${it.received}`),
      h('span', {}, `completeness ${it.completeness}%`)),
  ];
  const an = it.anonymity;
  if (an?.warning) {
    parts.push(h('div', { class: 'notice notice-warn', id: 'anonymity' }, h('strong', {}, 'Anonymity: '), an.warning,
      an.generalised.length ? h('p', {}, `On approval these are published in a coarser form: ${an.generalised.map((g) => GENERALISED[g] || g).join(', ')}.`) : null));
  } else if (an) {
    parts.push(h('p', { class: 'fine', id: 'anonymity' }, `Anonymity: ${an.cohort_reports} published report(s) share its industry, size and quarter (k = ${an.k}); nothing needs generalising.`));
  }
  if (it.rejection_reason) parts.push(h('div', { class: 'notice' }, h('strong', {}, 'Rejected: '), it.rejection_reason));

  if (it.warnings.length) {
    parts.push(h('h3', {}, 'Leftover warnings'),
      h('p', { class: 'fine' }, 'Words that are neither English nor known technologies. Redact any that could identify the submitter.'),
      h('ul', { class: 'warnings' }, it.warnings.map((w, i) => {
        const select = kindSelect(`w-kind-${i}`, `Kind of term for ${w.term}`);
        const b = h('button', { type: 'button', class: 'small', 'aria-label': `Redact ${w.term}` }, 'Redact');
        b.addEventListener('click', () => redact(id, { [select.value]: [w.term] }).catch((err) => {
          if (err.status !== 401) notice(message, 'error', errorMessage(err));
        }));
        return h('li', {}, h('span', { class: 'term' }, w.term), h('span', { class: 'fine' }, `×${w.count}`), select, b);
      })));
  }
  if (it.findings.length) {
    parts.push(h('h3', {}, 'Already redacted'), h('p', {}, it.findings.map((f) => `${f.placeholder || f.kind} ×${f.count}`).join(', ')));
  }
  if (it.flags.length) {
    parts.push(h('h3', {}, 'Outside the taxonomy'), h('ul', {}, it.flags.map((f) => h('li', {}, `${f.field}: ${f.value}`))));
  }
  parts.push(h('h3', {}, 'The report as it would be published'),
    h('p', { class: 'fine' }, 'Placeholders are ', h('mark', { class: 'ph' }, 'highlighted'), '. Select any text below and use “Redact the selection” to remove it everywhere.'),
    content(it.content));
  if (it.amendments.length) {
    parts.push(h('h3', {}, 'Amendments'), it.amendments.map((a) => h('div', { class: 'amendment' }, h('p', { class: 'fine' }, month(a.month)), markdown(a.text, 4))));
  }
  if (it.questions.length) {
    parts.push(h('h3', {}, 'Questions asked'), h('ul', {}, it.questions.map((q) => h('li', {}, q.question, h('span', { class: 'fine' }, ` (${q.asked})`)))));
  }

  const termInput = h('input', { id: 'x-term', autocomplete: 'off' });
  const useSel = h('button', { type: 'button' }, 'Redact the selection');
  useSel.addEventListener('click', () => {
    if (!selected) {
      notice(message, 'info', 'Select some text in the report first, then use this button.');
      return;
    }
    termInput.value = selected;
    termInput.focus();
  });
  const extra = h('form', { id: 'extra', class: 'card' },
    h('h3', {}, 'Redact more'),
    h('div', { class: 'term-row' },
      h('div', { class: 'field' }, h('label', { for: 'x-term' }, 'Term to redact everywhere'), termInput),
      h('div', { class: 'field' }, h('label', { for: 'x-kind' }, 'Kind'), kindSelect('x-kind', 'Kind')),
      useSel,
      h('button', { type: 'submit', class: 'primary' }, 'Redact')));
  extra.addEventListener('submit', async (e) => {
    e.preventDefault();
    const term = termInput.value.trim();
    if (!term) {
      termInput.focus();
      return;
    }
    try {
      await redact(id, { [$('#x-kind').value]: [term] });
    } catch (err) {
      if (err.status !== 401) notice(message, 'error', errorMessage(err));
    }
  });
  parts.push(extra);

  if (it.status === 'pending') {
    parts.push(h('div', { class: 'decisions' },
      decisionForm(id, 'Approve', 'Synopsis (optional, published with the report)', 'synopsis', false, 'Approve and publish', 'primary', async (rid, text) => {
        const d = await change(`/api/v1/review/${encodeURIComponent(rid)}/approve`, text ? { synopsis: text } : undefined);
        const gen = d.anonymity?.generalised?.length ? ` Published with a coarser ${d.anonymity.generalised.map((g) => GENERALISED[g] || g).join(' and ')}.` : '';
        await afterDecision(h('span', {}, `Approved and published.${gen} `, h('a', { href: `/reports/${encodeURIComponent(rid)}` }, 'View the report')));
      }),
      decisionForm(id, 'Reject', 'Reason (shown to the submitter)', 'reason', true, 'Reject', 'danger', async (rid, text) => {
        await change(`/api/v1/review/${encodeURIComponent(rid)}/reject`, { reason: text });
        await afterDecision('Rejected. The submitter sees the reason through their receipt.');
      }),
      decisionForm(id, 'Ask the submitter', 'Question (they answer with an amendment)', 'question', true, 'Send question', '', async (rid, text) => {
        await change(`/api/v1/review/${encodeURIComponent(rid)}/questions`, { question: text });
        await openItem(rid, { keepFocus: true });
        notice(message, 'ok', 'Question sent. It reaches the submitter through their receipt.');
      })));
  }
  fill(sec, parts);
  sec.hidden = false;
  if (!keepFocus) sec.focus();
}

async function afterDecision(text) {
  history.pushState(null, '', '/review');
  fill($('#item'));
  $('#item').hidden = true;
  await loadQueue();
  notice(message, 'ok', text);
  $('#queue-title').focus?.();
}

// ---- session -------------------------------------------------------------

async function signedIn(s) {
  session = s;
  $('#login').hidden = true;
  $('#console').hidden = false;
  $('#who').textContent = `Signed in as ${s.name}.`;
  await loadQueue();
  const id = new URLSearchParams(location.search).get('id');
  if (id) await openItem(id);
}

$('#login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = $('#l-name').value.trim();
  const password = $('#l-password').value;
  if (!name || !password) {
    (name ? $('#l-password') : $('#l-name')).focus();
    return;
  }
  try {
    const s = await api('/api/v1/auth/session', { method: 'POST', body: { name, password } });
    $('#l-password').value = '';
    message.hidden = true;
    await signedIn(s);
    $('#queue-title').focus();
  } catch (err) {
    notice(message, 'error', err.status === 401 ? 'Unknown reviewer or wrong password.' : errorMessage(err));
    $('#l-password').focus();
  }
});

$('#logout').addEventListener('click', async () => {
  try {
    await change('/api/v1/auth/session', undefined, 'DELETE');
  } catch {
    // Signed out either way.
  }
  history.pushState(null, '', '/review');
  signedOut('Signed out.');
});

document.addEventListener('click', (e) => {
  const a = e.target.closest('.queue a[data-id]');
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  openItem(a.dataset.id);
});

document.addEventListener('selectionchange', () => {
  const sel = document.getSelection();
  const box = $('#review-text');
  if (sel && box && !sel.isCollapsed && box.contains(sel.anchorNode) && box.contains(sel.focusNode)) {
    selected = sel.toString().trim().slice(0, 200);
  }
});

window.addEventListener('popstate', () => {
  if (!session) return;
  const id = new URLSearchParams(location.search).get('id');
  if (id) openItem(id);
  else {
    $('#item').hidden = true;
  }
});

async function main() {
  tax = await taxonomy();
  try {
    await signedIn(await api('/api/v1/auth/session'));
  } catch (err) {
    if (err.status === 401) signedOut();
    else notice(message, 'error', errorMessage(err));
  }
}

main();
