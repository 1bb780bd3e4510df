// Submitting a postmortem: a Markdown paste or upload, or the form; the
// declared terms; a live preview of exactly what would be stored (a
// debounced POST /api/v1/redact, which stores nothing); and the receipt,
// shown once.

import {
  $, h, fill, api, taxonomy, label, placeholders, markdown, notice, errorMessage, debounce, copyText, replaced,
} from './common.js';

const form = $('#submission');
const previewStatus = $('#preview-status');
const previewBody = $('#preview-body');
const KINDS = [
  ['organization', 'Organisation'], ['products', 'Product'], ['people', 'Person'],
  ['locations', 'Place'], ['other', 'Other'],
];
const FINDING_NAMES = {
  organization: 'Organisation', product: 'Products', person: 'People', location: 'Places', term: 'Other declared terms',
  email: 'E-mail addresses', url: 'URLs', ip: 'IP addresses', mac: 'MAC addresses', host: 'Host names',
  channel: 'Chat channels', handle: 'Handles', account: 'Cloud accounts', arn: 'ARNs', resource: 'Cloud resources',
  project: 'Cloud projects', guid: 'GUIDs', secret: 'Secrets', phone: 'Phone numbers', card: 'Payment cards',
  iban: 'IBANs', datetime: 'Dates and times', staff_list: 'Staff lists',
};

const mode = () => form.elements.mode.value;

function split(value, sep = /,/) {
  return value.split(sep).map((s) => s.trim()).filter(Boolean);
}

function lines(name) {
  return split(form.elements[name].value, /\n/).map((l) => l.replace(/^(?:[-*+]|\d+[.)])\s+/, ''));
}

function declaredTerms() {
  const out = {};
  for (const input of document.querySelectorAll('#terms input[data-kind]')) {
    const terms = split(input.value);
    if (terms.length) out[input.dataset.kind] = terms;
  }
  return out;
}

function number(name) {
  const v = form.elements[name].value.trim();
  return v === '' ? undefined : Number(v);
}

function checked(name) {
  return [...form.querySelectorAll(`fieldset[data-name="${name}"] input:checked`)].map((i) => i.value);
}

/** The request body for the current input, or null when there is too little. */
function body() {
  const declared_terms = declaredTerms();
  if (mode() === 'markdown') {
    const text = $('#markdown').value;
    return text.trim() ? { markdown: text, declared_terms } : null;
  }
  const f = form.elements;
  const s = {
    title: f.title.value.trim(),
    summary: f.summary.value.trim(),
    narrative: f.narrative.value.trim(),
  };
  if (!s.title && !s.summary && !s.narrative) return null;
  if (f.industry.value) s.industry = f.industry.value;
  if (f.organization_size.value) s.organization_size = f.organization_size.value;
  const incident = {};
  // The offset is dropped by the registry (local time as written), so the
  // time as typed is sent as is.
  if (f.started_at.value) incident.started_at = `${f.started_at.value.slice(0, 16)}:00Z`;
  if (f.severity.value) incident.severity = f.severity.value;
  if (f.detection.value) incident.detection = f.detection.value;
  for (const k of ['time_to_detect_minutes', 'time_to_mitigate_minutes', 'time_to_resolve_minutes']) {
    const n = number(k);
    if (n !== undefined) incident[k] = n;
  }
  const impact = {};
  if (f.users_affected.value) impact.users_affected = f.users_affected.value;
  if (f.data_loss.checked) impact.data_loss = true;
  if (f.impact.value.trim()) impact.description = f.impact.value.trim();
  const categories = checked('categories');
  if (categories.length) impact.categories = categories;
  if (Object.keys(impact).length) incident.impact = impact;
  if (Object.keys(incident).length) s.incident = incident;
  const tech = split(f.technologies.value);
  if (tech.length) s.technologies = tech;
  if (f.trigger.value) s.trigger = f.trigger.value;
  for (const k of ['contributing_factors', 'mitigations', 'human_factors']) {
    const v = checked(k);
    if (v.length) s[k] = v;
  }
  const timeline = split(f.timeline.value, /\n/).map((line) => {
    const m = line.match(/^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?|\d{1,2}:\d{2}|T\+\S+)\s*[-–:]?\s*(.*)$/);
    return m ? { at: m[1], event: m[2] || '' } : { at: '', event: line };
  });
  if (timeline.length) s.timeline = timeline;
  for (const k of ['root_causes', 'five_whys', 'lessons_learned']) {
    const v = lines(k);
    if (v.length) s[k] = v;
  }
  const actions = lines('action_items').map((l) => {
    const m = l.match(/^\[([xX ])\]\s*(.*)$/);
    return m ? { description: m[2], status: m[1].trim() ? 'done' : 'open' } : { description: l };
  });
  if (actions.length) s.action_items = actions;
  s.declared_terms = declared_terms;
  return s;
}

// ---- the preview ---------------------------------------------------------

let seq = 0;
let controller;

async function preview() {
  const b = body();
  controller?.abort();
  if (!b) {
    previewStatus.textContent = 'Start typing and the de-identified version appears here.';
    fill(previewBody);
    return;
  }
  const mine = ++seq;
  controller = new AbortController();
  previewStatus.textContent = 'Checking…';
  try {
    const p = await api('/api/v1/redact', { method: 'POST', body: b, signal: controller.signal });
    if (mine !== seq) return;
    renderPreview(p, await taxonomy());
  } catch (err) {
    if (err.name === 'AbortError' || mine !== seq) return;
    if (err.status === 422) {
      previewStatus.textContent = 'Not ready to send yet:';
      fill(previewBody, h('ul', { class: 'fine' }, err.fields.map((f) => h('li', {}, `${f.field}: ${f.message}`))));
    } else {
      previewStatus.textContent = '';
      fill(previewBody, h('div', { class: 'notice notice-error' }, errorMessage(err)));
    }
  }
}

const schedule = debounce(preview, 450);

function renderPreview(p, tax) {
  const s = p.submission;
  const total = p.findings.reduce((n, f) => n + f.count, 0);
  previewStatus.textContent = total
    ? `${total} identifying detail${total === 1 ? '' : 's'} will be replaced. Nothing is stored until you submit.`
    : 'Nothing identifying was found. Nothing is stored until you submit.';
  const parts = [];

  if (p.warnings.length) {
    parts.push(h('h3', {}, 'Might still identify you'),
      h('p', { class: 'fine' }, 'These words are neither ordinary English nor known technologies. If one names your company, a product, a person or a place, declare it.'),
      h('ul', { class: 'warnings' }, p.warnings.map((w, i) => {
        const select = h('select', { id: `kind-${i}`, 'aria-label': `Kind of term for ${w.term}` },
          KINDS.map(([k, name]) => h('option', { value: k, selected: k === 'other' }, name)));
        const button = h('button', { type: 'button', class: 'small', 'data-term': w.term }, 'Declare');
        button.setAttribute('aria-label', `Declare ${w.term}`);
        button.addEventListener('click', () => declare(w.term, select.value));
        return h('li', {}, h('span', { class: 'term' }, w.term), h('span', { class: 'fine' }, `×${w.count}`), select, button);
      })));
  }

  parts.push(h('h3', {}, `Completeness: ${p.completeness.score}%`),
    h('ul', { class: 'checklist' }, p.completeness.checklist.map((c) => h('li', { class: c.present ? 'yes' : 'no' },
      c.item, h('span', { class: 'vh' }, c.present ? ' (answered)' : ' (missing)'),
      c.hint ? h('span', { class: 'hint' }, c.hint) : null))));

  if (p.findings.length) {
    const byKind = new Map();
    for (const f of p.findings) {
      if (!byKind.has(f.kind)) byKind.set(f.kind, []);
      byKind.get(f.kind).push(f);
    }
    parts.push(h('h3', {}, 'Replaced'), h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Becomes'), h('th', { scope: 'col', class: 'num' }, 'Times'))),
      h('tbody', {}, [...byKind].map(([kind, fs]) => h('tr', {},
        h('th', { scope: 'row' }, FINDING_NAMES[kind] || kind),
        h('td', {}, fs.map((f) => f.placeholder).filter(Boolean).join(' ') || 'coarsened or dropped'),
        h('td', { class: 'num' }, String(fs.reduce((n, f) => n + f.count, 0)))))))));
  }

  if (p.flags.length) {
    parts.push(h('h3', {}, 'Not in the taxonomy'),
      h('p', { class: 'fine' }, 'These values are kept as written and the reviewer will look at them.'),
      h('ul', {}, p.flags.map((f) => h('li', {}, `${f.field}: ${f.value}`))));
  }

  const text = [h('h3', {}, placeholders(s.title)), h('p', {}, h('strong', {}, 'Summary. '), placeholders(s.summary))];
  if (s.timeline.length) {
    text.push(h('h4', {}, 'Timeline'), h('ol', { class: 'timeline' }, s.timeline.map((e) =>
      h('li', {}, h('span', { class: 'offset' }, e.offset), ' ', placeholders(e.event)))));
  }
  text.push(h('h4', {}, 'What happened'), markdown(s.narrative, 4));
  for (const [k, name] of [['root_causes', 'Root causes'], ['five_whys', 'Five whys'], ['lessons_learned', 'Lessons learned']]) {
    if (s[k].length) text.push(h('h4', {}, name), h('ul', {}, s[k].map((t) => h('li', {}, placeholders(t)))));
  }
  if (s.action_items.length) {
    text.push(h('h4', {}, 'Action items'), h('ul', {}, s.action_items.map((a) => h('li', {}, placeholders(a.description)))));
  }
  if (s.technologies.length) {
    text.push(h('p', { class: 'fine' }, 'Technologies: ', s.technologies.map((t) => label(tax, 'tech', t)).join(', ')));
  }
  parts.push(h('h3', {}, 'The text as it would be stored'),
    h('p', { class: 'fine' }, 'Replacements are ', h('mark', { class: 'ph' }, '[HIGHLIGHTED]'), '.'),
    h('div', { class: 'text', id: 'preview-text' }, text));
  fill(previewBody, parts);
}

/** Add a term to the declared list of its kind and preview again at once. */
function declare(term, kind) {
  const input = document.querySelector(`#terms input[data-kind="${kind}"]`);
  const terms = split(input.value);
  if (!terms.some((t) => t.toLowerCase() === term.toLowerCase())) terms.push(term);
  input.value = terms.join(', ');
  previewStatus.textContent = `Declared ${term}. Checking again…`;
  preview();
}

// ---- submitting ----------------------------------------------------------

function showReceipt(r) {
  const done = $('#done');
  const idOut = h('output', { id: 'receipt-id' }, r.id);
  const secretOut = h('output', { id: 'receipt-secret' }, r.receipt);
  const copy = (what, out) => {
    const b = h('button', { type: 'button', class: 'small' }, `Copy ${what}`);
    b.addEventListener('click', async () => {
      const ok = await copyText(out.textContent);
      b.textContent = ok ? 'Copied' : 'Select and copy it';
      setTimeout(() => { b.textContent = `Copy ${what}`; }, 2500);
    });
    return b;
  };
  fill(done,
    h('h2', {}, 'Submitted. Keep your receipt.'),
    h('div', { class: 'notice notice-warn', role: 'alert' },
      h('strong', {}, 'This receipt is shown only once and cannot be recovered. '),
      'The registry keeps only a hash of it, so nobody can show it to you again. Without it you cannot see your report’s status, answer the reviewer, add to it or withdraw it. Copy it somewhere safe now.'),
    h('p', { class: 'secret' }, h('label', { for: 'receipt-id' }, 'Report id'), idOut, copy('id', idOut)),
    h('p', { class: 'secret' }, h('label', { for: 'receipt-secret' }, 'Receipt'), secretOut, copy('receipt', secretOut)),
    h('p', {}, `Status: waiting for review. ${replaced(r.findings)}; completeness ${r.completeness.score}%.`),
    h('p', {}, h('a', { href: `/receipt?id=${encodeURIComponent(r.id)}` }, 'Check the status later'), ' with the id and the receipt, or ',
      h('a', { href: '/submit' }, 'submit another report'), '.'));
  done.hidden = false;
  // What was typed is no longer needed on this page.
  form.reset();
  form.hidden = true;
  done.focus();
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = $('#submit-error');
  const b = body();
  if (!b) {
    notice(error, 'error', mode() === 'markdown'
      ? 'Paste or upload your postmortem first.'
      : 'Give at least a title, a summary and what happened.');
    (mode() === 'markdown' ? $('#markdown') : $('#f-title')).focus();
    return;
  }
  const send = $('#send');
  send.disabled = true;
  send.textContent = 'Submitting…';
  try {
    const r = await api('/api/v1/reports', { method: 'POST', body: b });
    error.hidden = true;
    showReceipt(r);
  } catch (err) {
    notice(error, 'error', h('strong', {}, 'Not submitted. '),
      err.status === 429 ? 'Too many submissions from here just now; wait a minute and try again.' : errorMessage(err));
    error.focus?.();
  } finally {
    send.disabled = false;
    send.textContent = 'Submit for review';
  }
});

// ---- setting up ----------------------------------------------------------

function switchMode() {
  const md = mode() === 'markdown';
  $('#markdown-mode').hidden = !md;
  $('#form-mode').hidden = md;
  schedule();
}

async function setUp() {
  const tax = await taxonomy();
  for (const select of form.querySelectorAll('select[data-vocab]')) {
    for (const [id, term] of tax.vocab[select.dataset.vocab] || []) select.append(h('option', { value: id }, term.name));
  }
  for (const fs of form.querySelectorAll('fieldset[data-vocab]')) {
    for (const [id, term] of tax.vocab[fs.dataset.vocab] || []) {
      fs.append(h('label', { title: term.description || undefined }, h('input', { type: 'checkbox', value: id }), ' ', term.name));
    }
  }
  fill($('#tech-list'), tax.technologies.map((t) => h('option', { value: t.id }, t.name)));
}

$('#md-file').addEventListener('change', (e) => {
  const file = e.target.files[0];
  if (!file) return;
  if (file.size > 1024 * 1024) {
    notice($('#submit-error'), 'error', 'That file is larger than 1 MiB; paste the postmortem instead.');
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    $('#markdown').value = String(reader.result);
    preview();
  };
  reader.readAsText(file);
});

form.addEventListener('input', (e) => {
  if (e.target.type === 'file') return;
  schedule();
});
form.addEventListener('change', (e) => {
  if (e.target.name === 'mode') switchMode();
  else if (e.target.type === 'checkbox' || e.target.tagName === 'SELECT') schedule();
});

setUp();
