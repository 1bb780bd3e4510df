// Shared by every page: building DOM without HTML strings, calling the
// JSON API, the taxonomy's display names, and rendering report text.
//
// Report values are only ever inserted as text nodes. The one piece of
// server HTML, a search snippet, is parsed by hand into text and <mark>
// elements (see snippet()), so no markup from a report can become markup
// on the page.

const RESERVED = /^(on|style$|innerhtml$|outerhtml$|srcdoc$)/i;

/** An element with attributes and children (strings become text nodes). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (RESERVED.test(key)) throw new Error(`refusing attribute ${key}`);
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `The registry answered ${status}.`);
    this.status = status;
    this.code = e.code || 'unknown';
    this.fields = e.fields || [];
    this.hint = e.hint;
    this.position = e.position;
  }
}

/**
 * Call the JSON API. `body` is sent as JSON (or as is, with `type`);
 * `csrf` adds the reviewer session's CSRF token.
 */
export async function api(path, { method = 'GET', body, type, signal, csrf, receipt } = {}) {
  const headers = { accept: 'application/json' };
  const init = { method, headers, signal, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['content-type'] = type || 'application/json';
    init.body = type ? body : JSON.stringify(body);
  }
  if (csrf) headers['x-csrf-token'] = csrf;
  if (receipt) headers.authorization = `Receipt ${receipt}`;
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, {
      error: {
        code: 'network',
        message: 'The registry did not answer. Check your connection and try again.',
      },
    });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---- the taxonomy --------------------------------------------------------

const TAXONOMY_URL = new URL('../taxonomy.json', import.meta.url);
let taxonomyPromise;

/** Display names and categories, embedded in the server at build time. */
export function taxonomy() {
  taxonomyPromise ??= fetch(TAXONOMY_URL)
    .then((r) => (r.ok ? r.json() : { technologies: [], vocabularies: {} }))
    .catch(() => ({ technologies: [], vocabularies: {} }))
    .then((t) => {
      const tech = new Map(t.technologies.map((x) => [x.id, x]));
      const vocab = {};
      for (const [name, terms] of Object.entries(t.vocabularies)) {
        vocab[name] = new Map(terms.map((x) => [x.id, x]));
      }
      const categories = [...new Set(t.technologies.map((x) => x.category))];
      return { tech, vocab, categories, technologies: t.technologies };
    });
  return taxonomyPromise;
}

/** Search filter → taxonomy vocabulary. */
export const VOCAB_OF = {
  trigger: 'trigger',
  factor: 'contributing_factor',
  mitigation: 'mitigation',
  industry: 'industry',
  severity: 'severity',
  detection: 'detection',
};

/** Technology categories whose names are not just their id capitalised. */
const CATEGORY_NAMES = {
  os: 'Operating systems',
  dns: 'DNS',
  cdn: 'CDN',
  'ci-cd': 'CI/CD',
  'api-gateway': 'API gateways',
  auth: 'Identity and auth',
  email: 'E-mail',
  'language-runtime': 'Languages and runtimes',
  'web-server': 'Web servers',
  'load-balancer': 'Load balancers',
  'feature-flags': 'Feature flags',
  'config-management': 'Configuration management',
  'source-control': 'Source control',
  'service-mesh': 'Service mesh',
  database: 'Databases',
  container: 'Containers',
  queue: 'Queues and streams',
  other: 'Other',
};

/** `language-runtime` → `Language runtime`, for values outside the taxonomy. */
export function humanise(id) {
  const s = String(id).replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The display name of a value: kind is `tech`, a filter name or a vocabulary. */
export function label(tax, kind, id) {
  if (id === null || id === undefined) return '';
  if (kind === 'tech') return tax.tech.get(id)?.name || id;
  if (kind === 'category') return CATEGORY_NAMES[id] || humanise(id);
  if (kind === 'year') return String(id);
  const v = tax.vocab[VOCAB_OF[kind] || kind];
  return v?.get(id)?.name || humanise(id);
}

export function description(tax, kind, id) {
  return tax.vocab[VOCAB_OF[kind] || kind]?.get(id)?.description || '';
}

// ---- formatting ----------------------------------------------------------

/** 95 → `1 h 35 min`. */
export function minutes(m) {
  if (m === null || m === undefined) return '—';
  if (m < 60) return `${m} min`;
  if (m < 1440) {
    const hrs = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? `${hrs} h ${rest} min` : `${hrs} h`;
  }
  const days = Math.floor(m / 1440);
  const hrs = Math.round((m % 1440) / 60);
  return hrs ? `${days} d ${hrs} h` : `${days} d`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
  'August', 'September', 'October', 'November', 'December'];

/** `2023-11` → `November 2023`; the year alone when the month was withheld. */
export function month(value, year) {
  if (value) {
    const [y, m] = value.split('-');
    return `${MONTHS[Number(m) - 1] || m} ${y}`;
  }
  return year ? `${year} (month withheld)` : 'date withheld';
}

export function severityBadge(tax, severity) {
  if (!severity) return null;
  return h('span', { class: `sev sev-${severity.replace(/[^a-z0-9-]/g, '')}` }, label(tax, 'severity', severity));
}

/** `3 details were replaced` / `1 detail was replaced`. */
export function replaced(findings) {
  const n = findings.reduce((sum, f) => sum + f.count, 0);
  return n === 1 ? '1 detail was replaced' : `${n.toLocaleString('en')} details were replaced`;
}

export function count(n, one, many) {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

// ---- text from reports ---------------------------------------------------

const PLACEHOLDER = /\[(?:[A-Z]+)(?:-\d+)?\]/g;

/** Text with every placeholder (`[PERSON-1]`) in a highlighted <mark>. */
export function placeholders(text) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of String(text).matchAll(PLACEHOLDER)) {
    if (m.index > last) out.append(text.slice(last, m.index));
    out.append(h('mark', { class: 'ph', title: 'redacted' }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.append(text.slice(last));
  return out;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, e) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/**
 * A search snippet: escaped text with matches in <mark>…</mark>. Only the
 * two mark tags are recognised; everything else becomes text, decoded from
 * its entities, so even a snippet that were not escaped stays inert.
 */
export function snippet(html) {
  const out = document.createDocumentFragment();
  const parts = String(html || '').split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) {
      const text = decodeEntities(part);
      out.append(marked ? h('mark', {}, text) : document.createTextNode(text));
    }
  }
  return out;
}

/** Inline Markdown: `code` and **strong**; placeholders highlighted. */
export function inline(text) {
  const out = document.createDocumentFragment();
  const re = /(`[^`]+`|\*\*[^*]+\*\*)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.append(placeholders(text.slice(last, m.index)));
    const t = m[0];
    if (t.startsWith('`')) out.append(h('code', {}, t.slice(1, -1)));
    else out.append(h('strong', {}, placeholders(t.slice(2, -2))));
    last = m.index + t.length;
  }
  if (last < text.length) out.append(placeholders(text.slice(last)));
  return out;
}

/**
 * A small, safe Markdown reader for report narratives: headings, paragraphs,
 * lists, fenced code and quotes become elements; everything else is text.
 * Headings start at `level` so they nest under the page's own.
 */
export function markdown(text, level = 3) {
  const out = document.createDocumentFragment();
  const lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) out.append(h('p', {}, inline(para.join(' '))));
    para = [];
  };
  const endList = () => {
    if (list) out.append(list);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*(```|~~~)/);
    if (fence) {
      flush();
      endList();
      const code = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) code.push(lines[i]);
      out.append(h('pre', {}, h('code', {}, placeholders(code.join('\n')))));
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      flush();
      endList();
      const lvl = Math.min(6, level + heading[1].length - 1);
      out.append(h(`h${lvl}`, {}, inline(heading[2].replace(/\s+#+\s*$/, ''))));
      continue;
    }
    const item = line.match(/^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/);
    if (item) {
      flush();
      const tag = item[1] ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        endList();
        list = h(tag, {});
      }
      list.append(h('li', {}, inline(item[3])));
      continue;
    }
    if (!line.trim()) {
      flush();
      endList();
      continue;
    }
    const quote = line.match(/^>\s?(.*)$/);
    if (quote) {
      flush();
      endList();
      out.append(h('blockquote', {}, inline(quote[1])));
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      list.lastElementChild.append(' ', inline(line.trim()));
      continue;
    }
    endList();
    para.push(line.trim());
  }
  flush();
  endList();
  return out;
}

// ---- page furniture ------------------------------------------------------

/** A status or error message in a live region. */
export function notice(el, kind, ...children) {
  el.hidden = false;
  el.className = `notice notice-${kind}`;
  fill(el, ...children);
}

/** An error from the API as a readable message, with the hint when given. */
export function errorMessage(err) {
  const parts = [err.message || String(err)];
  if (err.hint) parts.push(` ${err.hint}`);
  if (err.fields?.length) {
    parts.push(h('ul', {}, err.fields.map((f) => h('li', {}, `${f.field}: ${f.message}`))));
  }
  return parts;
}

/** Call `fn` once input has paused for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Copy text; falls back to selecting it when the clipboard is unavailable. */
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (field) {
      field.focus();
      field.select?.();
    }
    return false;
  }
}
