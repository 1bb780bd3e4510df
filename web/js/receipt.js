// The receipt holder's page: status, the reviewer's questions or reason,
// an amendment (the answer), and withdrawal. The receipt stays in this
// page's memory only: never in the URL, storage or a cookie.

import { $, h, fill, api, notice, errorMessage, replaced } from './common.js';

const STATUS = {
  pending: ['Waiting for review', 'A reviewer has not decided yet. Check back later.'],
  published: ['Published', 'Your report is in the registry.'],
  rejected: ['Not published', 'The reviewer did not publish it. You can answer with an amendment below, which returns it to the queue.'],
  withdrawn: ['Withdrawn', 'The report has been deleted.'],
};

let current = null;

function termsFrom(value) {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function render(st) {
  const sec = $('#status');
  const [title, explain] = STATUS[st.status] || [st.status, ''];
  const parts = [
    h('h2', { id: 'status-title' }, `Status: ${title}`),
    h('p', {}, explain),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Received'), h('dd', {}, st.received)),
      st.published ? h('div', {}, h('dt', {}, 'Published'), h('dd', {}, st.published)) : null,
      h('div', {}, h('dt', {}, 'Amendments'), h('dd', {}, String(st.amendments)))),
  ];
  if (st.status === 'published') {
    parts.push(h('p', {}, h('a', { href: `/reports/${encodeURIComponent(st.id)}` }, 'Read the published report')));
  }
  if (st.rejection_reason) {
    parts.push(h('div', { class: 'notice notice-warn' }, h('strong', {}, 'The reviewer’s reason: '), st.rejection_reason));
  }
  if (st.questions.length) {
    parts.push(h('h3', {}, 'Questions from the reviewer'),
      h('ul', {}, st.questions.map((q) => h('li', {}, q.question, h('span', { class: 'fine' }, ` (asked ${q.asked})`)))));
  }
  if (st.status !== 'withdrawn') {
    const amend = h('form', { id: 'amend', class: 'card' },
      h('h3', {}, st.questions.length ? 'Answer or add to your report' : 'Add to your report'),
      h('p', { class: 'fine' }, 'An amendment is de-identified like the report: names you redacted before are replaced the same way, even if you do not list them again.'),
      h('div', { class: 'field' }, h('label', { for: 'a-text' }, 'Amendment'), h('textarea', { id: 'a-text', rows: 5, required: true })),
      h('div', { class: 'field' }, h('label', { for: 'a-terms' }, 'New names to redact (comma-separated)'), h('input', { id: 'a-terms', autocomplete: 'off' })),
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send amendment')));
    amend.addEventListener('submit', sendAmendment);
    const withdraw = h('form', { id: 'withdraw', class: 'card' },
      h('h3', {}, 'Withdraw'),
      h('p', {}, 'Withdrawing deletes the report from the registry, its search index and its exports. It cannot be undone.'),
      h('div', { class: 'field check' }, h('label', {}, h('input', { id: 'w-confirm', type: 'checkbox', required: true }), ' I want to delete this report')),
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Withdraw the report')));
    withdraw.addEventListener('submit', sendWithdrawal);
    parts.push(amend, withdraw);
  }
  fill(sec, parts);
  sec.hidden = false;
}

async function lookup() {
  const message = $('#message');
  try {
    const st = await api(`/api/v1/receipts/${encodeURIComponent(current.id)}`, { receipt: current.secret });
    message.hidden = true;
    render(st);
    return true;
  } catch (err) {
    $('#status').hidden = true;
    if (err.status === 401 || err.status === 400) {
      notice(message, 'error', 'No report matches this id and receipt. Check both for typos; the receipt is case-sensitive.');
    } else if (err.status === 429) {
      notice(message, 'error', 'Too many attempts from here; wait a minute and try again.');
    } else notice(message, 'error', errorMessage(err));
    return false;
  }
}

async function sendAmendment(e) {
  e.preventDefault();
  const text = $('#a-text').value.trim();
  if (!text) {
    $('#a-text').focus();
    return;
  }
  const other = termsFrom($('#a-terms').value);
  try {
    const r = await api(`/api/v1/receipts/${encodeURIComponent(current.id)}/amendments`, {
      method: 'POST', receipt: current.secret, body: { text, declared_terms: other.length ? { other } : {} },
    });
    await lookup();
    notice($('#message'), 'ok', `Amendment received; ${replaced(r.findings)}.`);
    $('#status').focus();
  } catch (err) {
    notice($('#message'), 'error', errorMessage(err));
  }
}

async function sendWithdrawal(e) {
  e.preventDefault();
  if (!$('#w-confirm').checked) {
    $('#w-confirm').focus();
    return;
  }
  try {
    await api(`/api/v1/receipts/${encodeURIComponent(current.id)}`, { method: 'DELETE', receipt: current.secret });
    fill($('#status'), h('h2', { id: 'status-title' }, 'Status: Withdrawn'), h('p', {}, 'The report has been deleted from the registry.'));
    notice($('#message'), 'ok', 'Withdrawn.');
    $('#status').focus();
  } catch (err) {
    notice($('#message'), 'error', errorMessage(err));
  }
}

$('#lookup').addEventListener('submit', async (e) => {
  e.preventDefault();
  const id = $('#r-id').value.trim();
  const secret = $('#r-secret').value.trim();
  if (!id || !secret) {
    (id ? $('#r-secret') : $('#r-id')).focus();
    return;
  }
  current = { id, secret };
  if (await lookup()) $('#status').focus();
});

const given = new URLSearchParams(location.search).get('id');
if (given) {
  $('#r-id').value = given;
  $('#r-secret').focus();
}
