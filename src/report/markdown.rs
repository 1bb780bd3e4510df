//! Markdown postmortem ingestion: a whole Markdown document turned into a
//! [`Submission`]. Known sections (summary, impact, timeline, root causes,
//! five whys, lessons learned, action items) are mapped to fields; every
//! other section stays in the narrative with its heading, in document
//! order; staff sections (attendees and the like) are dropped.
//!
//! The parser is line-based and looks at each line a bounded number of
//! times: linear in the input, no recursion, no backtracking patterns, and
//! every slice is taken on a char boundary, so it cannot panic.

use chrono::{DateTime, NaiveDate};

use super::moment::parse_moment;
use super::submission::{ActionItem, Impact, Incident, Submission, TimelineEntry};
use super::validate::limits;

/// A Markdown postmortem (the whole document) turned into a submission:
/// known sections mapped to fields, everything else kept in the narrative.
pub fn ingest(markdown: &str) -> Submission {
    let (clean, front_title) = preprocess(markdown);
    let lines: Vec<&str> = clean.split('\n').collect();
    let code = code_mask(&lines);
    let heads = real_headings(&lines, &code);

    let title_line = heads.iter().enumerate().find_map(|(i, h)| match h {
        Some((1, label, _)) if !clean_title(label).is_empty() => Some(i),
        _ => None,
    });
    let title = match title_line {
        Some(i) => heads[i]
            .as_ref()
            .map(|h| clean_title(&h.1))
            .unwrap_or_default(),
        None => front_title
            .map(|t| clean_title(&t))
            .filter(|t| !t.is_empty())
            .or_else(|| {
                heads
                    .iter()
                    .flatten()
                    .map(|h| clean_title(&h.1))
                    .find(|t| !t.is_empty())
            })
            .or_else(|| {
                lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| clean_title(l))
                    .find(|t| !t.is_empty())
            })
            .unwrap_or_default(),
    };

    let sections = split_sections(&lines, &code, &heads, title_line);
    let mut b = Builder::default();
    for sec in &sections {
        b.section(sec, &lines, &code);
    }
    b.finish(title)
}

/// Whether a heading names a section that lists staff (attendees,
/// participants, responders, owners, authors, …). Such sections are dropped.
pub fn is_staff_section(heading: &str) -> bool {
    classify(heading) == Some(Kind::Staff)
}

// ---------------------------------------------------------------------------
// Section vocabulary

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Summary,
    Impact,
    Timeline,
    RootCause,
    Trigger,
    FiveWhys,
    Lessons,
    Actions,
    Staff,
    /// Known, but kept in the narrative (resolution, detection, …).
    Keep,
}

const SECTIONS: &[(&str, Kind)] = &[
    ("summary", Kind::Summary),
    ("overview", Kind::Summary),
    ("executive summary", Kind::Summary),
    ("tl;dr", Kind::Summary),
    ("tldr", Kind::Summary),
    ("incident summary", Kind::Summary),
    ("description", Kind::Summary),
    ("incident description", Kind::Summary),
    ("synopsis", Kind::Summary),
    ("impact", Kind::Impact),
    ("customer impact", Kind::Impact),
    ("user impact", Kind::Impact),
    ("business impact", Kind::Impact),
    ("impact assessment", Kind::Impact),
    ("timeline", Kind::Timeline),
    ("key events", Kind::Timeline),
    ("chronology", Kind::Timeline),
    ("sequence of events", Kind::Timeline),
    ("timeline of events", Kind::Timeline),
    ("events", Kind::Timeline),
    ("root cause", Kind::RootCause),
    ("root causes", Kind::RootCause),
    ("root cause analysis", Kind::RootCause),
    ("cause", Kind::RootCause),
    ("causes", Kind::RootCause),
    ("why it happened", Kind::RootCause),
    ("trigger", Kind::Trigger),
    ("triggers", Kind::Trigger),
    ("contributing factors", Kind::Keep),
    ("contributing factor", Kind::Keep),
    ("resolution", Kind::Keep),
    ("mitigation", Kind::Keep),
    ("recovery", Kind::Keep),
    ("how we fixed it", Kind::Keep),
    ("remediation", Kind::Keep),
    ("detection", Kind::Keep),
    ("how was it detected", Kind::Keep),
    ("how it was detected", Kind::Keep),
    ("identified", Kind::Keep),
    ("context", Kind::Keep),
    ("background", Kind::Keep),
    ("actions taken", Kind::Keep),
    ("five whys", Kind::FiveWhys),
    ("5 whys", Kind::FiveWhys),
    ("lessons learned", Kind::Lessons),
    ("lessons learnt", Kind::Lessons),
    ("lessons", Kind::Lessons),
    ("learnings", Kind::Lessons),
    ("what went well", Kind::Lessons),
    ("what went wrong", Kind::Lessons),
    ("where we got lucky", Kind::Lessons),
    ("what we learned", Kind::Lessons),
    ("what we learnt", Kind::Lessons),
    ("key takeaways", Kind::Lessons),
    ("takeaways", Kind::Lessons),
    ("action items", Kind::Actions),
    ("action item", Kind::Actions),
    ("actions", Kind::Actions),
    ("follow up", Kind::Actions),
    ("follow ups", Kind::Actions),
    ("followups", Kind::Actions),
    ("follow up actions", Kind::Actions),
    ("next steps", Kind::Actions),
    ("corrective actions", Kind::Actions),
    ("corrective and preventative measures", Kind::Actions),
    ("corrective and preventive measures", Kind::Actions),
    ("preventive measures", Kind::Actions),
    ("preventative measures", Kind::Actions),
    ("remediation items", Kind::Actions),
    ("review actions", Kind::Actions),
    ("actions following review", Kind::Actions),
    ("future actions", Kind::Actions),
    ("attendees", Kind::Staff),
    ("atendees", Kind::Staff),
    ("attendee", Kind::Staff),
    ("participants", Kind::Staff),
    ("owners", Kind::Staff),
    ("owner", Kind::Staff),
    ("people", Kind::Staff),
    ("people involved", Kind::Staff),
    ("responders", Kind::Staff),
    ("incident commander", Kind::Staff),
    ("incident commanders", Kind::Staff),
    ("team", Kind::Staff),
    ("team members", Kind::Staff),
    ("contributors", Kind::Staff),
    ("reviewers", Kind::Staff),
    ("authors", Kind::Staff),
    ("author", Kind::Staff),
    ("reviewed by", Kind::Staff),
    ("written by", Kind::Staff),
    ("prepared by", Kind::Staff),
];

/// Staff headings that may carry more words ("Attendees and roles"); the
/// others ("Team", "People", "Owner") only match exactly.
const STAFF_PREFIXES: &[&str] = &[
    "attendees",
    "atendees",
    "participants",
    "responders",
    "contributors",
    "reviewers",
    "authors",
    "people involved",
];

/// Lower case, markup and parenthesised asides removed, separators turned
/// into spaces, leading numbering and trailing punctuation dropped.
fn normalise_heading(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars().take(200) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | '_' | '#' | '`' | '"' => {}
            '\u{2019}' | '\u{2018}' => out.push('\''),
            '-' | '/' | '&' | '+' | '\u{2013}' | '\u{2014}' | ',' | '|' => out.push(' '),
            c if c.is_whitespace() => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    let mut words: Vec<&str> = out.split_whitespace().collect();
    if words.first().is_some_and(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ')')
    }) {
        words.remove(0);
    }
    let mut joined = words.join(" ");
    while joined.ends_with([':', '.', '?', '!', ';', ' ']) {
        joined.pop();
    }
    joined
}

fn classify(text: &str) -> Option<Kind> {
    let n = normalise_heading(text);
    lookup(&n).or_else(|| {
        ["incident ", "the ", "our "]
            .iter()
            .find_map(|p| n.strip_prefix(p).and_then(lookup))
    })
}

fn lookup(n: &str) -> Option<Kind> {
    if n.is_empty() {
        return None;
    }
    if let Some((_, k)) = SECTIONS.iter().find(|(s, _)| *s == n) {
        return Some(*k);
    }
    let mut best: Option<(usize, Kind)> = None;
    for (s, k) in SECTIONS {
        if *k == Kind::Staff && !STAFF_PREFIXES.contains(s) {
            continue;
        }
        if n.len() > s.len()
            && n.starts_with(s)
            && n.as_bytes()[s.len()] == b' '
            && best.is_none_or(|(l, _)| s.len() > l)
        {
            best = Some((s.len(), *k));
        }
    }
    best.map(|(_, k)| k)
}

// ---------------------------------------------------------------------------
// Pre-processing and line structure

/// Newlines normalised, NULs and BOM removed, front matter and HTML comments
/// stripped. Returns the text and the front matter's title, if any.
fn preprocess(input: &str) -> (String, Option<String>) {
    let s = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut t = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                t.push('\n');
            }
            '\0' => {}
            c => t.push(c),
        }
    }

    let mut front_title = None;
    let mut body: &str = &t;
    for fence in ["---", "+++"] {
        let Some(first_end) = t.find('\n') else { break };
        if t[..first_end].trim_end() != fence {
            continue;
        }
        let mut pos = first_end + 1;
        let mut closed = None;
        while pos <= t.len() {
            let end = t[pos..].find('\n').map_or(t.len(), |e| pos + e);
            let line = t[pos..end].trim_end();
            if line == fence || (fence == "---" && line == "...") {
                closed = Some((pos, (end + 1).min(t.len())));
                break;
            }
            if end >= t.len() {
                break;
            }
            pos = end + 1;
        }
        if let Some((close_start, after)) = closed {
            for line in t[first_end + 1..close_start].lines() {
                let l = line.trim();
                let lower = l.get(..5).map(str::to_ascii_lowercase);
                if lower.as_deref() == Some("title") {
                    let v = l[5..].trim_start();
                    if let Some(v) = v.strip_prefix(':').or_else(|| v.strip_prefix('=')) {
                        let v = v.trim().trim_matches('"').trim_matches('\'').trim();
                        if !v.is_empty() && front_title.is_none() {
                            front_title = Some(v.to_string());
                        }
                    }
                }
            }
            body = &t[after..];
        }
        break;
    }

    // HTML comments, multi-line too. An unterminated one hides the rest of
    // the document, as it does when rendered.
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("-->") {
            Some(e) => rest = &after[e + 3..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    (out, front_title)
}

/// Indentation width (tabs to 4) and the rest of the line.
fn indent_of(line: &str) -> (usize, &str) {
    let mut n = 0;
    for (i, c) in line.char_indices() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4 - n % 4,
            _ => return (n, &line[i..]),
        }
    }
    (n, "")
}

/// Lines inside fenced code blocks (fence lines included).
fn code_mask(lines: &[&str]) -> Vec<bool> {
    let mut mask = Vec::with_capacity(lines.len());
    let mut fence: Option<(u8, usize)> = None;
    for line in lines {
        let (ind, rest) = indent_of(line);
        match fence {
            Some((ch, cnt)) => {
                mask.push(true);
                let n = rest.bytes().take_while(|b| *b == ch).count();
                if ind <= 3 && n >= cnt && rest[n..].trim().is_empty() {
                    fence = None;
                }
            }
            None => {
                let ch = rest.bytes().next().unwrap_or(0);
                let n = rest.bytes().take_while(|b| *b == ch).count();
                let opens = ind <= 3
                    && (ch == b'`' || ch == b'~')
                    && n >= 3
                    && !(ch == b'`' && rest[n..].contains('`'));
                if opens {
                    fence = Some((ch, n));
                }
                mask.push(opens);
            }
        }
    }
    mask
}

/// `- x`, `* x`, `+ x`, `1. x`, `1) x`: indentation and content.
fn list_item(line: &str) -> Option<(usize, &str)> {
    let (indent, rest) = indent_of(line);
    let b = rest.as_bytes();
    let after = if matches!(b.first(), Some(b'-' | b'*' | b'+')) {
        1
    } else {
        let d = b.iter().take(10).take_while(|c| c.is_ascii_digit()).count();
        if d == 0 || d > 9 || !matches!(b.get(d), Some(b'.' | b')')) {
            return None;
        }
        d + 1
    };
    match b.get(after) {
        None => Some((indent, "")),
        Some(b' ' | b'\t') => Some((indent, rest[after..].trim())),
        _ => None,
    }
}

fn atx(line: &str) -> Option<(u8, &str)> {
    let (ind, rest) = indent_of(line);
    if ind > 3 {
        return None;
    }
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let after = &rest[hashes..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    let stripped = text.trim_end_matches('#');
    let text = if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
        stripped.trim_end()
    } else {
        text
    };
    Some((hashes as u8, text))
}

/// ATX and setext headings: level, text, lines spanned.
fn real_headings(lines: &[&str], code: &[bool]) -> Vec<Option<(u8, String, usize)>> {
    let mut out: Vec<Option<(u8, String, usize)>> = Vec::with_capacity(lines.len());
    let mut prev_blank = true;
    let mut skip = 0;
    for (i, line) in lines.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            out.push(None);
            prev_blank = true;
            continue;
        }
        if code[i] {
            out.push(None);
            prev_blank = false;
            continue;
        }
        if let Some((level, text)) = atx(line) {
            out.push(Some((level, text.to_string(), 1)));
            prev_blank = true;
            continue;
        }
        let (ind, rest) = indent_of(line);
        let candidate = prev_blank
            && ind <= 3
            && !rest.is_empty()
            && list_item(line).is_none()
            && !rest.starts_with(['>', '|', '<']);
        let setext = lines
            .get(i + 1)
            .zip(code.get(i + 1))
            .filter(|_| candidate)
            .and_then(|(u, c)| {
                let (uind, u) = indent_of(u);
                let u = u.trim_end();
                if *c || uind > 3 || u.is_empty() {
                    None
                } else if u.bytes().all(|b| b == b'=') {
                    Some(1u8)
                } else if u.len() >= 2 && u.bytes().all(|b| b == b'-') {
                    Some(2u8)
                } else {
                    None
                }
            });
        match setext {
            Some(level) => {
                out.push(Some((level, rest.trim().to_string(), 2)));
                skip = 1;
                prev_blank = true;
            }
            None => {
                out.push(None);
                prev_blank = rest.is_empty();
            }
        }
    }
    out
}

/// A line that may act as a heading without being one: `**Summary**`,
/// `- **Key events**`, `**Impact**: text`, `Summary:`.
struct Pseudo<'a> {
    label: &'a str,
    inline: &'a str,
    item: bool,
    bold: bool,
    indent: usize,
}

fn pseudo_heading(line: &str) -> Option<Pseudo<'_>> {
    let (indent, mut rest) = indent_of(line);
    let mut item = false;
    if let Some(r) = rest.strip_prefix(['-', '*', '+']) {
        if r.starts_with([' ', '\t']) {
            item = true;
            rest = r.trim_start();
        }
    }
    for delim in ["**", "__"] {
        if let Some(r) = rest.strip_prefix(delim) {
            let end = r.find(delim)?;
            let label = r[..end].trim().trim_end_matches(':').trim();
            if label.is_empty() || label.len() > 120 {
                return None;
            }
            let after = r[end + delim.len()..].trim_start();
            let inline = after.strip_prefix(':').unwrap_or(after).trim();
            return Some(Pseudo {
                label,
                inline,
                item,
                bold: true,
                indent,
            });
        }
    }
    if item || indent > 3 {
        return None;
    }
    let head = rest.get(..rest.len().min(64)).unwrap_or(rest);
    let colon = head.find(':')?;
    let label = rest[..colon].trim();
    let ok = label.chars().next().is_some_and(char::is_alphabetic)
        && label.chars().count() <= 60
        && label.chars().all(|c| {
            c.is_alphabetic() || matches!(c, ' ' | '\'' | ';' | '-' | '&' | '/' | '\u{2019}')
        });
    let inline = rest[colon + 1..].trim();
    if !ok || inline.starts_with("//") {
        return None;
    }
    Some(Pseudo {
        label,
        inline,
        item: false,
        bold: false,
        indent,
    })
}

// ---------------------------------------------------------------------------
// Sections

struct Section<'a> {
    kind: Option<Kind>,
    label: String,
    raw_head: Vec<&'a str>,
    inline: Option<&'a str>,
    pseudo: bool,
    item: bool,
    indent: usize,
    /// 0 for the text before any heading, 1–6 for headings, 7 for pseudo.
    level: u8,
    title: bool,
    body: Vec<usize>,
}

impl Section<'_> {
    fn root() -> Self {
        Section {
            kind: None,
            label: String::new(),
            raw_head: Vec::new(),
            inline: None,
            pseudo: true,
            item: false,
            indent: usize::MAX,
            level: 0,
            title: false,
            body: Vec::new(),
        }
    }
}

fn split_sections<'a>(
    lines: &[&'a str],
    code: &[bool],
    heads: &[Option<(u8, String, usize)>],
    title_line: Option<usize>,
) -> Vec<Section<'a>> {
    let mut secs = vec![Section::root()];
    let mut prev_blank = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let cur = secs.last_mut().expect("never empty");
        if code[i] {
            cur.body.push(i);
            prev_blank = false;
            i += 1;
            continue;
        }
        if let Some((level, text, span)) = &heads[i] {
            let span = (*span).max(1);
            let end = (i + span).min(lines.len());
            if Some(i) == title_line {
                secs.push(Section {
                    raw_head: lines[i..end].to_vec(),
                    title: true,
                    pseudo: false,
                    indent: 0,
                    level: 1,
                    ..Section::root()
                });
            } else {
                let known = classify(text);
                if cur.pseudo || *level <= cur.level || known.is_some() {
                    secs.push(Section {
                        kind: known,
                        label: text.clone(),
                        raw_head: lines[i..end].to_vec(),
                        pseudo: false,
                        indent: 0,
                        level: *level,
                        ..Section::root()
                    });
                } else {
                    cur.body.extend(i..end);
                }
            }
            prev_blank = true;
            i = end;
            continue;
        }
        if !line.trim_start().starts_with('|') {
            if let Some(p) = pseudo_heading(line) {
                let known = classify(p.label);
                let in_real = !cur.pseudo && !cur.title;
                let nests = cur.pseudo && p.indent <= cur.indent;
                let time_label = parse_time(p.label).is_some_and(|t| t.time.is_some());
                let split = if time_label {
                    false
                } else if p.item {
                    // `- **Label**` items split sibling `- **Label**` sections
                    // (or the text before any heading), not the items of a
                    // section opened by a heading or a bold line.
                    !in_real && (known.is_some() || (nests && (cur.item || cur.level == 0)))
                } else if p.bold && p.inline.is_empty() {
                    known.is_some() || nests
                } else if p.bold {
                    known.is_some()
                } else {
                    known.is_some() && prev_blank
                };
                if split {
                    secs.push(Section {
                        kind: known,
                        label: p.label.to_string(),
                        raw_head: vec![line],
                        inline: (!p.inline.is_empty()).then_some(p.inline),
                        pseudo: true,
                        item: p.item,
                        indent: p.indent,
                        level: 7,
                        ..Section::root()
                    });
                    prev_blank = false;
                    i += 1;
                    continue;
                }
            }
        }
        cur.body.push(i);
        prev_blank = line.trim().is_empty();
        i += 1;
    }
    secs
}

// ---------------------------------------------------------------------------
// Building the submission

#[derive(Default)]
struct Builder {
    narrative: Vec<String>,
    summary: Option<String>,
    impact: Vec<String>,
    timeline: Vec<TimelineEntry>,
    started_at: Option<String>,
    root_causes: Vec<String>,
    five_whys: Vec<String>,
    lessons: Vec<String>,
    actions: Vec<ActionItem>,
    times: [Option<u32>; 3],
    /// The document without staff sections, for when nothing else is left.
    fallback: Vec<String>,
    fallback_chars: usize,
}

type Body<'a> = Vec<(&'a str, bool)>;

impl Builder {
    fn section(&mut self, sec: &Section<'_>, lines: &[&str], code: &[bool]) {
        let mut body: Body = Vec::with_capacity(sec.body.len() + 1);
        if let Some(inline) = sec.inline {
            body.push((inline, false));
        }
        body.extend(sec.body.iter().map(|&i| (lines[i], code[i])));
        let raw_with = |head: bool| {
            let mut v: Vec<&str> = if head {
                sec.raw_head.clone()
            } else {
                Vec::new()
            };
            v.extend(sec.body.iter().map(|&i| lines[i]));
            join_trim(&v)
        };
        // The title heading is the title, not part of the narrative.
        let raw = || raw_with(!sec.title);
        if sec.kind != Some(Kind::Staff) {
            let r = raw_with(true);
            if !r.trim().is_empty() && self.fallback_chars < limits::SUMMARY_CHARS {
                self.fallback_chars += r.chars().count();
                self.fallback.push(r);
            }
        }
        match sec.kind {
            Some(Kind::Staff) => {}
            None | Some(Kind::Keep) => {
                for l in sec
                    .raw_head
                    .iter()
                    .chain(sec.body.iter().map(|&i| &lines[i]))
                {
                    if let Some((which, minutes)) = time_to(l) {
                        self.times[which].get_or_insert(minutes);
                    }
                }
                self.push_narrative(raw());
            }
            Some(Kind::Summary) => {
                let text = flatten(&body);
                if text.is_empty() {
                    return;
                }
                if self.summary.is_some() {
                    self.push_narrative(raw());
                } else if text.chars().count() > limits::SUMMARY_CHARS {
                    self.summary = Some(cut_text(&text, limits::SUMMARY_CHARS, true));
                    self.push_narrative(raw());
                } else {
                    self.summary = Some(text);
                }
            }
            Some(Kind::Impact) => {
                let text = flatten(&body);
                if text.is_empty() {
                    return;
                }
                let total: usize = self.impact.iter().map(|t| t.chars().count() + 2).sum();
                if total + text.chars().count() > limits::ITEM_CHARS {
                    self.push_narrative(raw());
                }
                self.impact.push(text);
            }
            Some(Kind::Timeline) => {
                let out = parse_timeline(&body);
                let mut leftover = out.leftover;
                for (entry, started) in out.entries {
                    if self.timeline.is_empty() {
                        self.started_at = started;
                    }
                    if self.timeline.len() < limits::TIMELINE_ENTRIES {
                        self.timeline.push(entry);
                    } else {
                        leftover.push(format!("- {} {}", entry.at, entry.event));
                    }
                }
                self.push_leftover(sec, leftover);
            }
            Some(
                kind @ (Kind::RootCause
                | Kind::Trigger
                | Kind::FiveWhys
                | Kind::Lessons
                | Kind::Actions),
            ) => {
                let (entries, mut leftover) = list_entries(&body, kind);
                for (text, status) in entries {
                    let text = if kind == Kind::Trigger {
                        format!("Trigger: {text}")
                    } else {
                        text
                    };
                    let text = cut_text(&text, limits::ITEM_CHARS, true);
                    let full = match kind {
                        Kind::Actions => self.actions.len() >= limits::LIST_ITEMS,
                        Kind::FiveWhys => self.five_whys.len() >= limits::LIST_ITEMS,
                        Kind::Lessons => self.lessons.len() >= limits::LIST_ITEMS,
                        _ => self.root_causes.len() >= limits::LIST_ITEMS,
                    };
                    if full {
                        leftover.push(format!("- {text}"));
                        continue;
                    }
                    match kind {
                        Kind::Actions => self.actions.push(ActionItem {
                            description: text,
                            status: status.map(str::to_string),
                        }),
                        Kind::FiveWhys => self.five_whys.push(text),
                        Kind::Lessons => self.lessons.push(text),
                        _ => self.root_causes.push(text),
                    }
                }
                self.push_leftover(sec, leftover);
            }
        }
    }

    fn push_narrative(&mut self, text: String) {
        if !text.trim().is_empty() {
            self.narrative.push(text);
        }
    }

    fn push_leftover(&mut self, sec: &Section<'_>, leftover: Vec<String>) {
        if leftover.iter().all(|l| l.trim().is_empty()) {
            return;
        }
        let mut v: Vec<String> = if sec.pseudo {
            vec![format!(
                "{}**{}**",
                if sec.item { "- " } else { "" },
                sec.label
            )]
        } else {
            sec.raw_head.iter().map(|s| s.to_string()).collect()
        };
        if !v.is_empty() {
            v.push(String::new());
        }
        for line in leftover {
            let blank = line.trim().is_empty();
            if !(blank && v.last().is_some_and(|l| l.trim().is_empty())) {
                v.push(line);
            }
        }
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        self.push_narrative(join_trim(&refs));
    }

    fn finish(self, title: String) -> Submission {
        let mut narrative = self.narrative.join("\n\n");
        let impact_text = self.impact.join("\n\n");
        let impact_text =
            (!impact_text.is_empty()).then(|| cut_text(&impact_text, limits::ITEM_CHARS, true));
        let mut summary = self
            .summary
            .or_else(|| first_paragraph(&narrative, true, 40))
            .or_else(|| {
                impact_text.as_deref().map(|t| {
                    let lines: Vec<&str> = t
                        .split('\n')
                        .map(|l| l.trim().trim_start_matches("- "))
                        .filter(|l| !l.is_empty())
                        .collect();
                    let mut out = String::new();
                    for l in lines {
                        if !out.is_empty() {
                            out.push_str(if out.ends_with(['.', '!', '?', ':', ';']) {
                                " "
                            } else {
                                "; "
                            });
                        }
                        out.push_str(l);
                    }
                    out
                })
            })
            .or_else(|| first_paragraph(&narrative, true, 1))
            .or_else(|| first_paragraph(&narrative, false, 1))
            .unwrap_or_default();
        if narrative.trim().is_empty() {
            narrative = if summary.is_empty() {
                cut_text(
                    self.fallback.join("\n\n").trim(),
                    limits::SUMMARY_CHARS,
                    false,
                )
            } else {
                summary.clone()
            };
        }
        if summary.is_empty() {
            summary = first_paragraph(&narrative, false, 1).unwrap_or_else(|| title.clone());
        }
        let summary = cut_text(&summary, limits::SUMMARY_CHARS, true);
        let narrative = cut_bytes(narrative, limits::NARRATIVE_BYTES);

        let [ttd, ttm, mut ttr] = self.times;
        if let (Some(m), Some(r)) = (ttm, ttr) {
            if r < m {
                ttr = None;
            }
        }
        let impact = impact_text.map(|d| Impact {
            description: Some(d),
            ..Default::default()
        });
        let incident = (self.started_at.is_some()
            || impact.is_some()
            || ttd.is_some()
            || ttm.is_some()
            || ttr.is_some())
        .then(|| Incident {
            started_at: self.started_at,
            time_to_detect_minutes: ttd,
            time_to_mitigate_minutes: ttm,
            time_to_resolve_minutes: ttr,
            impact,
            ..Default::default()
        });
        Submission {
            title,
            summary,
            narrative,
            incident,
            timeline: self.timeline,
            root_causes: self.root_causes,
            five_whys: self.five_whys,
            lessons_learned: self.lessons,
            action_items: self.actions,
            ..Default::default()
        }
    }
}

/// Lines joined, without leading and trailing blank lines.
fn join_trim(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A section body as whitespace-normalised text: paragraphs on one line,
/// separated by a blank line; list items and table rows one per line.
fn flatten(body: &[(&str, bool)]) -> String {
    let mut blocks: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut cur_item = false;
    fn flush(blocks: &mut Vec<(String, bool)>, cur: &mut String, item: bool) {
        if !cur.trim().is_empty() {
            blocks.push((std::mem::take(cur), item));
        }
        cur.clear();
    }
    for &(line, code) in body {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut blocks, &mut cur, cur_item);
            continue;
        }
        if code && (t.starts_with("```") || t.starts_with("~~~")) {
            continue;
        }
        if !code {
            if let Some((_, text)) = atx(line) {
                flush(&mut blocks, &mut cur, cur_item);
                cur_item = false;
                if !text.is_empty() {
                    blocks.push((collapse(text), false));
                }
                continue;
            }
            if t.starts_with('|') {
                flush(&mut blocks, &mut cur, cur_item);
                if !is_delim_row(t) {
                    let cells: Vec<String> =
                        split_row(t).into_iter().filter(|c| !c.is_empty()).collect();
                    if !cells.is_empty() {
                        blocks.push((collapse(&cells.join(" — ")), true));
                    }
                }
                cur_item = false;
                continue;
            }
            if let Some((_, content)) = list_item(line) {
                flush(&mut blocks, &mut cur, cur_item);
                cur = format!("- {}", collapse(content));
                cur_item = true;
                continue;
            }
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&collapse(t));
    }
    flush(&mut blocks, &mut cur, cur_item);
    let mut out = String::new();
    let mut prev_item = false;
    for (i, (text, item)) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str(if *item && prev_item { "\n" } else { "\n\n" });
        }
        out.push_str(text);
        prev_item = *item;
    }
    out
}

/// The first paragraph of a Markdown text, whitespace-normalised. With
/// `prose`, only a plain paragraph; otherwise also a list block, stripped
/// of its markers.
fn first_paragraph(md: &str, prose: bool, min_chars: usize) -> Option<String> {
    let mut in_code = false;
    let mut block: Vec<&str> = Vec::new();
    let mut lines = md.split('\n').peekable();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        let skip = in_code
            || atx(line).is_some()
            || t.starts_with('|')
            || t.starts_with('<')
            || time_to(line).is_some();
        if !t.is_empty() && !skip {
            block.push(line);
        }
        let ends = t.is_empty() || skip || lines.peek().is_none();
        if ends && !block.is_empty() {
            let is_list = block
                .iter()
                .any(|l| list_item(l).is_some() || pseudo_heading(l).is_some_and(|p| p.bold));
            if !(prose && is_list) {
                let text: Vec<String> = block
                    .iter()
                    .map(|l| {
                        let c = list_item(l).map_or(*l, |(_, c)| c);
                        c.trim().to_string()
                    })
                    .collect();
                let text = collapse(&text.join(" "));
                let plain = text
                    .trim_matches(|c: char| c == '*' || c == '_' || c == ':' || c.is_whitespace());
                if !plain.is_empty() && plain.chars().count() >= min_chars {
                    return Some(cut_text(&text, limits::SUMMARY_CHARS, true));
                }
            }
            block.clear();
        }
    }
    None
}

/// At most `max` chars; cut at a sentence end when `sentences` and one
/// lies in the second half, else at a word boundary with an ellipsis.
fn cut_text(s: &str, max: usize, sentences: bool) -> String {
    let max = max.max(2);
    let Some((end, _)) = s.char_indices().nth(max) else {
        return s.to_string();
    };
    let prefix = &s[..end];
    if sentences {
        let mut best = None;
        for (i, c) in prefix.char_indices() {
            if matches!(c, '.' | '!' | '?') {
                let next = s[i + c.len_utf8()..].chars().next();
                if next.is_none_or(char::is_whitespace) {
                    best = Some(i + c.len_utf8());
                }
            }
        }
        if let Some(b) = best.filter(|b| *b >= end / 2) {
            return prefix[..b].trim_end().to_string();
        }
    }
    let (end2, _) = s.char_indices().nth(max - 1).unwrap_or((end, ' '));
    let p2 = &s[..end2];
    let cut = p2
        .rfind(char::is_whitespace)
        .filter(|&w| w > end2 / 2)
        .unwrap_or(end2);
    format!("{}\u{2026}", p2[..cut].trim_end())
}

fn cut_bytes(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut e = max;
        while !s.is_char_boundary(e) {
            e -= 1;
        }
        s.truncate(e);
    }
    s
}

fn clean_title(s: &str) -> String {
    let head: String = s.chars().take(1000).collect();
    let strip = |t: &str| -> String {
        t.trim_matches(|c: char| c == '#' || c == '*' || c == '>' || c.is_whitespace())
            .to_string()
    };
    let t = strip(&head);
    let t = match list_item(&t) {
        Some((_, c)) => strip(c),
        None => t,
    };
    cut_text(&collapse(&t), limits::TITLE_CHARS, false)
}

// ---------------------------------------------------------------------------
// Tables

fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
    for c in t.chars() {
        if esc {
            if c != '|' {
                cur.push('\\');
            }
            cur.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == '|' {
            cells.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    if esc {
        cur.push('\\');
    }
    cells.push(cur.trim().to_string());
    cells
}

fn is_delim_row(line: &str) -> bool {
    let t = line.trim();
    if !t.contains('-') || t.len() > 10_000 {
        return false;
    }
    let cells = split_row(t);
    cells.iter().all(|c| {
        let c = c.trim().trim_start_matches(':').trim_end_matches(':');
        !c.is_empty() && c.bytes().all(|b| b == b'-')
    })
}

/// End (exclusive) of the table starting at `i`, if a table starts there.
fn table_at(body: &[(&str, bool)], i: usize) -> Option<usize> {
    let (line, code) = body[i];
    if code || !line.contains('|') {
        return None;
    }
    let (next, ncode) = *body.get(i + 1)?;
    if ncode || !next.contains('|') || !is_delim_row(next) {
        return None;
    }
    let mut j = i + 2;
    while j < body.len() && !body[j].1 && body[j].0.contains('|') && !body[j].0.trim().is_empty() {
        j += 1;
    }
    Some(j)
}

fn header_words(h: &str) -> Vec<String> {
    h.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let single = w.strip_suffix('s').filter(|s| s.len() > 2);
            std::iter::once(w.to_string()).chain(single.map(str::to_string))
        })
        .collect()
}

fn has_word(words: &[String], set: &[&str]) -> bool {
    words.iter().any(|w| set.contains(&w.as_str()))
}

const WHO_WORDS: &[&str] = &[
    "owner",
    "assignee",
    "who",
    "responsible",
    "person",
    "people",
    "lead",
    "by",
    "author",
    "name",
    "responder",
    "assigned",
];

// ---------------------------------------------------------------------------
// List sections

type Entry = (String, Option<&'static str>);

fn list_entries(body: &[(&str, bool)], kind: Kind) -> (Vec<Entry>, Vec<String>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut leftover: Vec<String> = Vec::new();
    let push = |text: String, status: Option<&'static str>, entries: &mut Vec<Entry>| {
        let text = collapse(&text);
        let plain =
            text.trim_matches(|c: char| c == '*' || c == '_' || c == '.' || c.is_whitespace());
        if plain.is_empty()
            || matches!(
                plain.to_lowercase().as_str(),
                "none" | "n/a" | "na" | "tbd" | "-" | "?" | "todo"
            )
        {
            return;
        }
        entries.push((text, status));
    };
    let mut i = 0;
    while i < body.len() {
        let (line, code) = body[i];
        let t = line.trim();
        if code {
            leftover.push(line.to_string());
            i += 1;
            continue;
        }
        if t.is_empty() {
            i += 1;
            continue;
        }
        if let Some(end) = table_at(body, i) {
            let header: Vec<Vec<String>> = split_row(body[i].0)
                .iter()
                .map(|h| header_words(h))
                .collect();
            let status_col = header
                .iter()
                .position(|w| has_word(w, &["status", "state", "done", "progress"]));
            let desc_col = header.iter().enumerate().position(|(c, w)| {
                Some(c) != status_col
                    && has_word(
                        w,
                        &[
                            "action",
                            "item",
                            "description",
                            "task",
                            "what",
                            "title",
                            "summary",
                            "follow",
                            "lesson",
                            "cause",
                            "learning",
                        ],
                    )
            });
            for (row, _) in &body[i + 2..end] {
                let cells = split_row(row);
                let text = match desc_col {
                    Some(c) => cells.get(c).cloned().unwrap_or_default(),
                    None => cells
                        .iter()
                        .enumerate()
                        .filter(|(c, v)| {
                            Some(*c) != status_col
                                && !v.is_empty()
                                && !header.get(*c).is_some_and(|w| has_word(w, WHO_WORDS))
                        })
                        .map(|(_, v)| v.as_str())
                        .collect::<Vec<_>>()
                        .join(" — "),
                };
                let status = if kind == Kind::Actions {
                    status_col
                        .and_then(|c| cells.get(c))
                        .and_then(|s| status_of(s))
                } else {
                    None
                };
                push(text, status, &mut entries);
            }
            i = end;
            continue;
        }
        if atx(line).is_some() {
            i += 1;
            continue;
        }
        if is_link_definition(t) {
            leftover.push(line.to_string());
            i += 1;
            continue;
        }
        if let Some((base, content)) = list_item(line) {
            let (status, content) = checkbox(content);
            let mut text = content.to_string();
            let mut j = i + 1;
            while j < body.len() {
                let (l, c) = body[j];
                if c || atx(l).is_some() {
                    break;
                }
                if l.trim().is_empty() {
                    let next = (j..body.len()).find(|&k| !body[k].0.trim().is_empty());
                    match next {
                        Some(k)
                            if !body[k].1
                                && indent_of(body[k].0).0 > base
                                && list_item(body[k].0).is_none_or(|(ind, _)| ind > base + 1) =>
                        {
                            j = k;
                            continue;
                        }
                        _ => break,
                    }
                }
                match list_item(l) {
                    Some((ind, _)) if ind <= base + 1 => break,
                    Some((_, nested)) => {
                        text.push_str("; ");
                        text.push_str(checkbox(nested).1);
                    }
                    None => {
                        if l.trim_start().starts_with('|') && indent_of(l).0 <= base {
                            break;
                        }
                        text.push(' ');
                        text.push_str(l.trim());
                    }
                }
                j += 1;
            }
            let status = if kind == Kind::Actions { status } else { None };
            push(text, status, &mut entries);
            i = j;
            continue;
        }
        // A paragraph: one entry.
        let mut text = String::new();
        let mut j = i;
        while j < body.len() {
            let (l, c) = body[j];
            if c || l.trim().is_empty()
                || atx(l).is_some()
                || list_item(l).is_some()
                || table_at(body, j).is_some()
                || is_link_definition(l.trim())
            {
                break;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(l.trim());
            j += 1;
        }
        push(text, None, &mut entries);
        i = j.max(i + 1);
    }
    (entries, leftover)
}

fn is_link_definition(t: &str) -> bool {
    t.starts_with('[')
        && t.get(..t.len().min(300))
            .and_then(|h| h.find("]:"))
            .is_some_and(|p| p > 1)
}

fn checkbox(content: &str) -> (Option<&'static str>, &str) {
    for (mark, status) in [("[ ]", "open"), ("[x]", "done"), ("[X]", "done")] {
        if let Some(rest) = content.strip_prefix(mark) {
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                return (Some(status), rest.trim());
            }
        }
    }
    (None, content)
}

fn status_of(s: &str) -> Option<&'static str> {
    let n: String = s
        .chars()
        .take(100)
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .collect::<String>()
        .to_lowercase()
        .replace('\u{2019}', "'");
    let n = collapse(n.trim());
    let any = |set: &[&str]| set.iter().any(|w| n.contains(w));
    if any(&[
        "won't",
        "wont",
        "will not",
        "cancel",
        "not doing",
        "rejected",
        "dropped",
    ]) {
        Some("wont-do")
    } else if any(&[
        "not started",
        "not done",
        "to do",
        "todo",
        "open",
        "pending",
        "planned",
        "backlog",
    ]) || n == "new"
    {
        Some("open")
    } else if any(&[
        "in progress",
        "in-progress",
        "wip",
        "ongoing",
        "started",
        "doing",
    ]) {
        Some("in-progress")
    } else if any(&[
        "done", "complete", "closed", "fixed", "resolved", "finished", "\u{2705}",
    ]) || n == "yes"
        || n == "x"
    {
        Some("done")
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Times and the timeline

#[derive(Clone, Copy, Debug, PartialEq)]
enum Zone {
    Utc,
    /// Minutes east of UTC.
    Offset(i32),
    Named,
}

const ZONES: &[&str] = &[
    "UTC", "GMT", "CET", "CEST", "BST", "PST", "PDT", "EST", "EDT", "IST", "JST", "MST", "MDT",
    "CST", "CDT", "AEST", "AEDT", "AWST", "ACST", "EET", "EEST", "WET", "WEST", "MSK", "HKT",
    "SGT", "KST", "NZST", "NZDT", "HST", "AKST", "AKDT", "BRT", "SAST", "WIB", "PHT", "ICT", "UT",
];

type Date = (i32, u32, u32);

#[derive(Debug, Default)]
struct Tok {
    date: Option<Date>,
    time: Option<(u32, u32, Option<u32>)>,
    zone: Option<Zone>,
    /// Written as RFC 3339 (`T` separator, seconds, `Z` or offset attached).
    rfc: bool,
    len: usize,
}

fn digits_at(b: &[u8], from: usize, n: usize) -> Option<u32> {
    let s = b.get(from..from + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
}

/// A date and/or time at the very start of `s`.
fn parse_time(s: &str) -> Option<Tok> {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut p = 0;
    let mut tok = Tok::default();
    let mut t_sep = false;
    if let (Some(y), Some(m), Some(d)) =
        (digits_at(b, 0, 4), digits_at(b, 5, 2), digits_at(b, 8, 2))
    {
        let sep = b.get(4).copied();
        if matches!(sep, Some(b'-' | b'/')) && b.get(7).copied() == sep && !digit(10) {
            NaiveDate::from_ymd_opt(y as i32, m, d)?;
            tok.date = Some((y as i32, m, d));
            p = 10;
            tok.len = 10;
            if matches!(b.get(p), Some(b'T' | b't')) && digit(p + 1) {
                p += 1;
                t_sep = true;
            } else {
                let mut q = p;
                while q < p + 8 && matches!(b.get(q), Some(b' ' | b',' | b'\t')) {
                    q += 1;
                }
                if !digit(q) {
                    return Some(tok);
                }
                p = q;
            }
        }
    }
    if !digit(p) {
        return tok.date.is_some().then_some(tok);
    }
    let (h, mut q) = if digit(p + 1) {
        (digits_at(b, p, 2)?, p + 2)
    } else {
        (digits_at(b, p, 1)?, p + 1)
    };
    let sep_ok = match b.get(q) {
        Some(b':') => true,
        Some(b'.') => tok.date.is_some() && !t_sep,
        _ => false,
    };
    let Some(m) = digits_at(b, q + 1, 2).filter(|_| sep_ok) else {
        return (tok.date.is_some() && !t_sep).then_some(tok);
    };
    q += 3;
    if digit(q) {
        return (tok.date.is_some() && !t_sep).then_some(tok);
    }
    let mut sec = None;
    if b.get(q) == Some(&b':') {
        if let Some(s2) = digits_at(b, q + 1, 2) {
            sec = Some(s2);
            q += 3;
            if b.get(q) == Some(&b'.') && digit(q + 1) {
                q += 1;
                while digit(q) {
                    q += 1;
                }
            }
        }
    }
    let mut h = h;
    // 12-hour clocks.
    {
        let mut r = q;
        if b.get(r) == Some(&b' ') {
            r += 1;
        }
        let ampm = b.get(r..r + 2).map(|w| w.to_ascii_lowercase());
        if matches!(ampm.as_deref(), Some(b"am" | b"pm"))
            && !b.get(r + 2).is_some_and(u8::is_ascii_alphanumeric)
        {
            if !(1..=12).contains(&h) {
                return None;
            }
            h = h % 12
                + if ampm.as_deref() == Some(b"pm") {
                    12
                } else {
                    0
                };
            q = r + 2;
        }
    }
    if h > 23 || m > 59 || sec.is_some_and(|s| s > 59) {
        return None;
    }
    tok.time = Some((h, m, sec));
    p = q;

    // Time zone.
    let q0 = p;
    let mut q = p;
    let mut spaced = false;
    while q < q0 + 2 && b.get(q) == Some(&b' ') {
        q += 1;
        spaced = true;
    }
    let paren = b.get(q) == Some(&b'(');
    if paren {
        q += 1;
    }
    let mut zone = None;
    let mut compact = false;
    match b.get(q) {
        Some(b'Z' | b'z')
            if !spaced && !paren && !b.get(q + 1).is_some_and(u8::is_ascii_alphanumeric) =>
        {
            zone = Some(Zone::Utc);
            compact = true;
            q += 1;
        }
        Some(&sign @ (b'+' | b'-'))
            if (sign == b'+' || !spaced) && digit(q + 1) && digit(q + 2) =>
        {
            if let Some((off, n)) = offset_at(b, q) {
                zone = Some(if off == 0 {
                    Zone::Utc
                } else {
                    Zone::Offset(off)
                });
                compact = !spaced && !paren;
                q += n;
            }
        }
        Some(c) if c.is_ascii_alphabetic() => {
            let n = b[q..]
                .iter()
                .take(6)
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            if n <= 5 && !b.get(q + n).is_some_and(u8::is_ascii_alphanumeric) {
                let w = &s[q..q + n];
                let upper = w.to_ascii_uppercase();
                let known = ZONES.contains(&upper.as_str())
                    && (w == upper || matches!(upper.as_str(), "UTC" | "GMT"));
                if known {
                    q += n;
                    zone = Some(Zone::Named);
                    if matches!(upper.as_str(), "UTC" | "GMT" | "UT") {
                        zone = Some(Zone::Utc);
                        if matches!(b.get(q), Some(b'+' | b'-')) && digit(q + 1) {
                            let (off, n) = short_offset_at(b, q)?;
                            q += n;
                            zone = Some(if off == 0 {
                                Zone::Utc
                            } else {
                                Zone::Offset(off)
                            });
                        }
                    }
                }
            }
        }
        _ => {}
    }
    if zone.is_some() && paren {
        if b.get(q) == Some(&b')') {
            q += 1;
        } else {
            zone = None;
        }
    }
    if zone.is_some() {
        p = q;
    } else {
        p = q0;
    }
    tok.zone = zone;
    if b.get(p).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    tok.rfc = t_sep && sec.is_some() && compact;
    tok.len = p;
    Some(tok)
}

/// `+01:00`, `-0500`, `+01`: minutes and bytes used.
fn offset_at(b: &[u8], q: usize) -> Option<(i32, usize)> {
    let sign = if b.get(q) == Some(&b'-') { -1 } else { 1 };
    let hh = digits_at(b, q + 1, 2)?;
    let (mm, n) = if b.get(q + 3) == Some(&b':') {
        (digits_at(b, q + 4, 2)?, 6)
    } else if let Some(mm) = digits_at(b, q + 3, 2) {
        (mm, 5)
    } else {
        (0, 3)
    };
    if hh > 14 || mm > 59 || b.get(q + n).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((sign * (hh * 60 + mm) as i32, n))
}

/// `+1`, `+01`, `+5:30` after UTC/GMT.
fn short_offset_at(b: &[u8], q: usize) -> Option<(i32, usize)> {
    if b.get(q + 2).is_some_and(u8::is_ascii_digit) {
        return offset_at(b, q);
    }
    let sign = if b.get(q) == Some(&b'-') { -1 } else { 1 };
    let hh = digits_at(b, q + 1, 1)?;
    if b.get(q + 2) == Some(&b':') {
        let mm = digits_at(b, q + 3, 2)?;
        return (mm < 60).then_some((sign * (hh * 60 + mm) as i32, 5));
    }
    Some((sign * (hh * 60) as i32, 2))
}

fn zone_in_words(text: &str) -> Option<Zone> {
    let head = text.get(..text.len().min(300)).unwrap_or("");
    for w in head.split(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '-' && c != ':') {
        let upper = w.to_ascii_uppercase();
        let base = upper.split(['+', '-']).next().unwrap_or("");
        if matches!(base, "UTC" | "GMT") {
            if let Some(rest) = w.get(3..).filter(|r| !r.is_empty()) {
                if let Some((off, _)) = short_offset_at(rest.as_bytes(), 0) {
                    return Some(if off == 0 {
                        Zone::Utc
                    } else {
                        Zone::Offset(off)
                    });
                }
            }
            return Some(Zone::Utc);
        }
        if w == upper && ZONES.contains(&w) && w.len() >= 3 {
            return Some(Zone::Named);
        }
    }
    None
}

fn date_only(text: &str) -> Option<Date> {
    let t =
        text.trim_matches(|c: char| matches!(c, '*' | '_' | '#' | ':' | '`') || c.is_whitespace());
    let tok = parse_time(t)?;
    (tok.time.is_none() && tok.len == t.len())
        .then_some(tok.date)
        .flatten()
}

struct Event {
    at: String,
    event: String,
    date: Option<Date>,
    time: (u32, u32, Option<u32>),
    zone: Option<Zone>,
}

fn format_at(date: Option<Date>, (h, m, s): (u32, u32, Option<u32>)) -> String {
    let time = match s {
        Some(s) => format!("{h:02}:{m:02}:{s:02}"),
        None => format!("{h:02}:{m:02}"),
    };
    match date {
        Some((y, mo, d)) => format!("{y:04}-{mo:02}-{d:02} {time}"),
        None => time,
    }
}

fn build_event(tok: Tok, tok_text: &str, rest: &str, ctx: Option<Date>) -> Option<Event> {
    let time = tok.time?;
    let mut r = rest
        .trim_start()
        .trim_start_matches(['*', '_', '`', '~'])
        .trim_start();
    let mut until = None;
    for sep in ["-", "\u{2013}", "\u{2014}", "to ", "until "] {
        if let Some(x) = r.strip_prefix(sep) {
            let x2 = x.trim_start();
            if let Some(t2) = parse_time(x2).filter(|t| t.time.is_some()) {
                until = Some(x2[..t2.len].trim());
                r = &x2[t2.len..];
            }
            break;
        }
    }
    let r = r
        .trim_start_matches(|c: char| c.is_whitespace() || "-\u{2013}\u{2014}:|,>)*_~".contains(c))
        .trim();
    if r.is_empty() {
        return None;
    }
    let event = match until {
        Some(u) => format!("(until {u}) {r}"),
        None => r.to_string(),
    };
    let date = tok.date.or(ctx);
    let at = if tok.rfc {
        tok_text[..tok.len].trim().to_string()
    } else {
        format_at(date, time)
    };
    parse_moment(&at)?;
    Some(Event {
        at,
        event: cut_text(&collapse(&event), limits::ITEM_CHARS, true),
        date,
        time,
        zone: tok.zone,
    })
}

/// A timeline line: a time at the start (possibly in emphasis), or, when
/// `trailing`, a date and/or time at the very end.
fn parse_event(text: &str, ctx: Option<Date>, trailing: bool) -> Option<Event> {
    let s = text.trim();
    for delim in ["**", "__", "`", "*", "_"] {
        if let Some(r) = s.strip_prefix(delim) {
            if let Some(end) = r.find(delim) {
                let inner = r[..end].trim();
                if let Some(tok) = parse_time(inner).filter(|t| t.time.is_some()) {
                    let tail = inner[tok.len..]
                        .trim()
                        .trim_matches(|c: char| c == ':' || c == '-' || c.is_whitespace());
                    if tail.is_empty() {
                        return build_event(tok, inner, &r[end + delim.len()..], ctx);
                    }
                }
            }
            break;
        }
    }
    if let Some(tok) = parse_time(s).filter(|t| t.time.is_some()) {
        let rest = &s[tok.len..];
        return build_event(tok, s, rest, ctx);
    }
    if !trailing {
        return None;
    }
    let body = s.trim_end_matches(|c: char| {
        matches!(c, '.' | ')' | ',' | '*' | '_' | '`') || c.is_whitespace()
    });
    let mut start = body.len().saturating_sub(48);
    while !body.is_char_boundary(start) {
        start += 1;
    }
    for (off, c) in body[start..].char_indices() {
        let p = start + off;
        if !c.is_ascii_digit() {
            continue;
        }
        let prev_ok = p == 0
            || body[..p].chars().next_back().is_some_and(|c| {
                c.is_whitespace() || matches!(c, '(' | ':' | ',' | '*' | '_' | '`')
            });
        if !prev_ok {
            continue;
        }
        let cand = &body[p..];
        if let Some(tok) = parse_time(cand).filter(|t| t.time.is_some() && t.len == cand.len()) {
            let mut ev = body[..p].trim_end_matches(|c: char| {
                c.is_whitespace() || "-\u{2013}\u{2014}:,(*_`".contains(c)
            });
            for w in [" at", " on"] {
                if ev.len() > w.len() && ev.to_ascii_lowercase().ends_with(w) {
                    ev = ev[..ev.len() - w.len()].trim_end();
                }
            }
            return build_event(tok, cand, ev, ctx);
        }
    }
    None
}

struct TimelineOut {
    /// Each entry with the incident start it implies, if it can be told.
    entries: Vec<(TimelineEntry, Option<String>)>,
    leftover: Vec<String>,
}

fn started_at(ev: &Event, zone: Option<Zone>) -> Option<String> {
    let (y, mo, d) = ev.date?;
    let offset = match zone? {
        Zone::Utc => 0,
        Zone::Offset(o) => o,
        Zone::Named => return None,
    };
    let (h, m, s) = ev.time;
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.abs();
    let text = format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{:02}{sign}{:02}:{:02}",
        s.unwrap_or(0),
        o / 60,
        o % 60
    );
    DateTime::parse_from_rfc3339(&text).ok().map(|_| text)
}

fn parse_timeline(body: &[(&str, bool)]) -> TimelineOut {
    let mut out = TimelineOut {
        entries: Vec::new(),
        leftover: Vec::new(),
    };
    let mut ctx: Option<Date> = None;
    let mut section_zone: Option<Zone> = None;
    let accept = |ev: Event, zone: Option<Zone>, ctx: &mut Option<Date>, out: &mut TimelineOut| {
        if ev.date.is_some() {
            *ctx = ev.date;
        }
        let started = started_at(&ev, ev.zone.or(zone));
        out.entries.push((
            TimelineEntry {
                at: ev.at,
                event: ev.event,
            },
            started,
        ));
    };
    let mut i = 0;
    while i < body.len() {
        let (line, code) = body[i];
        if code {
            out.leftover.push(line.to_string());
            i += 1;
            continue;
        }
        if line.trim().is_empty() {
            out.leftover.push(String::new());
            i += 1;
            continue;
        }
        if let Some(end) = table_at(body, i) {
            let header = split_row(body[i].0);
            let words: Vec<Vec<String>> = header.iter().map(|h| header_words(h)).collect();
            let mut time_cols: Vec<usize> = (0..header.len())
                .filter(|&c| {
                    has_word(
                        &words[c],
                        &["time", "date", "when", "timestamp", "datetime"],
                    )
                })
                .collect();
            if time_cols.is_empty() {
                time_cols.push(0);
            }
            let mut event_cols: Vec<usize> = (0..header.len())
                .filter(|&c| {
                    !time_cols.contains(&c)
                        && has_word(
                            &words[c],
                            &[
                                "event",
                                "description",
                                "what",
                                "action",
                                "detail",
                                "activity",
                                "happened",
                                "note",
                                "summary",
                                "update",
                            ],
                        )
                })
                .collect();
            if event_cols.is_empty() {
                event_cols = (0..header.len())
                    .filter(|&c| !time_cols.contains(&c) && !has_word(&words[c], WHO_WORDS))
                    .collect();
            }
            let header_zone = zone_in_words(&header.join(" ")).or(section_zone);
            let mut rows_left: Vec<String> = Vec::new();
            for (row, _) in &body[i + 2..end] {
                let cells = split_row(row);
                let pick = |cols: &[usize], sep: &str| {
                    cols.iter()
                        .filter_map(|&c| cells.get(c))
                        .filter(|v| !v.is_empty())
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                let time_text: String = pick(&time_cols, " ")
                    .chars()
                    .filter(|c| !matches!(c, '*' | '`'))
                    .collect();
                let event_text = pick(&event_cols, " — ");
                let combined = format!("{} \u{2014} {}", time_text.trim(), event_text);
                match parse_event(&combined, ctx, false) {
                    Some(ev) => accept(ev, header_zone, &mut ctx, &mut out),
                    None => rows_left.push(row.to_string()),
                }
            }
            if !rows_left.is_empty() {
                out.leftover.push(body[i].0.to_string());
                out.leftover.push(body[i + 1].0.to_string());
                out.leftover.extend(rows_left);
            }
            i = end;
            continue;
        }
        if let Some((_, text)) = atx(line) {
            match date_only(text) {
                Some(d) => ctx = Some(d),
                None => out.leftover.push(line.to_string()),
            }
            i += 1;
            continue;
        }
        let (text, raw_end) = match list_item(line) {
            Some((ind, content)) => {
                let mut text = checkbox(content).1.to_string();
                let mut j = i + 1;
                while j < body.len() {
                    let (l, c) = body[j];
                    if c || l.trim().is_empty()
                        || list_item(l).is_some()
                        || atx(l).is_some()
                        || indent_of(l).0 <= ind
                    {
                        break;
                    }
                    text.push(' ');
                    text.push_str(l.trim());
                    j += 1;
                }
                (text, j)
            }
            None => (line.trim().to_string(), i + 1),
        };
        if let Some(d) = date_only(&text) {
            ctx = Some(d);
        } else if let Some(ev) = parse_event(&text, ctx, true) {
            accept(ev, section_zone, &mut ctx, &mut out);
        } else {
            if text.to_lowercase().contains("time") {
                if let Some(z) = zone_in_words(&text) {
                    section_zone = Some(z);
                }
            }
            out.leftover
                .extend(body[i..raw_end].iter().map(|(l, _)| l.to_string()));
        }
        i = raw_end;
    }
    out
}

/// `Time to detection: 54 minutes`, `**Time to repair**: 0h 16m`: which
/// (0 detect, 1 mitigate, 2 resolve) and minutes.
fn time_to(line: &str) -> Option<(usize, u32)> {
    let t = line.trim_start();
    let t = list_item(t).map_or(t, |(_, c)| c);
    let l: String = t
        .chars()
        .take(120)
        .filter(|c| *c != '*' && *c != '_')
        .collect::<String>()
        .to_lowercase();
    let rest = l.strip_prefix("time to ")?;
    let (key, val) = rest.split_once(':')?;
    let which = if key.contains("detect") || key.contains("identif") {
        0
    } else if ["repair", "mitigat", "recover", "restor"]
        .iter()
        .any(|k| key.contains(k))
    {
        1
    } else if key.contains("resol") {
        2
    } else {
        return None;
    };
    Some((which, duration_minutes(val)?))
}

fn duration_minutes(s: &str) -> Option<u32> {
    let mut total: u64 = 0;
    let mut any = false;
    let mut chars = s.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut n: u64 = 0;
        let mut digits = 0;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            n = n * 10 + u64::from(d);
            digits += 1;
            if digits > 7 {
                return None;
            }
            chars.next();
        }
        if digits == 0 {
            break;
        }
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let mut unit = String::new();
        while let Some(c) = chars.peek().filter(|c| c.is_alphabetic()) {
            unit.push(*c);
            chars.next();
            if unit.len() > 10 {
                return None;
            }
        }
        let mult = match unit.as_str() {
            "d" | "day" | "days" => 1440,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "m" | "min" | "mins" | "minute" | "minutes" => 1,
            _ => return None,
        };
        total += n * mult;
        any = true;
    }
    (any && total <= 525_600).then_some(total as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn quick(input: &str) -> Submission {
        // Not a speed target (that belongs in a benchmark): a guard against
        // quadratic blow-ups, which on these sizes take many minutes. The
        // bound is loose so a busy machine cannot fail it.
        let t = Instant::now();
        let s = ingest(input);
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "took {:?} on {} bytes",
            t.elapsed(),
            input.len()
        );
        assert!(s.title.chars().count() <= limits::TITLE_CHARS);
        assert!(s.summary.chars().count() <= limits::SUMMARY_CHARS);
        assert!(s.narrative.len() <= limits::NARRATIVE_BYTES);
        assert!(s.timeline.len() <= limits::TIMELINE_ENTRIES);
        for list in [&s.root_causes, &s.five_whys, &s.lessons_learned] {
            assert!(list.len() <= limits::LIST_ITEMS);
            assert!(list.iter().all(|i| i.chars().count() <= limits::ITEM_CHARS));
        }
        assert!(s.action_items.len() <= limits::LIST_ITEMS);
        for e in &s.timeline {
            assert!(parse_moment(&e.at).is_some(), "bad at {:?}", e.at);
            assert!(!e.event.trim().is_empty());
        }
        if let Some(at) = s.incident.as_ref().and_then(|i| i.started_at.as_deref()) {
            assert!(DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        }
        s
    }

    #[test]
    fn front_matter_and_comments_are_stripped() {
        let md = "---\ntitle: \"Queue backlog on the billing workers\"\nauthor: someone\n---\n\
                  <!-- template: fill in every section -->\n\
                  The billing workers fell behind for two hours.\n\n\
                  <!--\nreviewer notes: ask the vendor\n-->\n\
                  ## Resolution\n\nWe added workers.\n";
        let s = quick(md);
        assert_eq!(s.title, "Queue backlog on the billing workers");
        assert!(!s.narrative.contains("template"));
        assert!(!s.narrative.contains("reviewer notes"));
        assert!(!s.narrative.contains("author:"));
        assert!(s.narrative.contains("## Resolution"));
        assert_eq!(s.summary, "The billing workers fell behind for two hours.");

        // A `# ` heading wins over the front-matter title.
        let s = quick("+++\ntitle = \"From TOML\"\n+++\n# From the heading\n\nBody text.\n");
        assert_eq!(s.title, "From the heading");
        let s = quick("+++\ntitle = \"From TOML\"\n+++\nBody text.\n");
        assert_eq!(s.title, "From TOML");
    }

    const DFDS_LIKE: &str = "# Message broker partitions went offline

## Summary

On a Tuesday morning three partitions of the shared message broker went offline after a rolling restart.
Consumers stalled for about forty minutes.

**What happened?**:
The restart script did not wait for replicas to catch up.

## Timeline

All times in UTC.

| Date | Time | Event |
| :--- | :--- | ----- |
| 2023-05-16 | 07:02 | Rolling restart of the broker started |
| 2023-05-16 | 07:09 | Consumer lag alert fired |
| 2023-05-16 | later | Nobody remembers exactly |
| 2023-05-16 | 07:41 | Replicas back in sync, consumers recovered |

## Contributing Factors

- Restart script ignored the in-sync replica count

## Lessons Learned

- Restarts must wait for replicas to be in sync.
- The lag alert was useful and fast.

## Action Items

- [x] Make the restart script wait for in-sync replicas
- [ ] Add a dashboard for under-replicated partitions
- Review the other maintenance scripts

## Attendees

- AB, CD, EF
- xyzzy

## Stats

- Category: Messaging
- Time to detection: 7 minutes
- Time to recovery: 39 minutes
";

    #[test]
    fn dfds_style_layout() {
        let s = quick(DFDS_LIKE);
        assert_eq!(s.title, "Message broker partitions went offline");
        assert!(s.summary.starts_with("On a Tuesday morning"));
        assert!(s.summary.contains("did not wait for replicas"));
        assert_eq!(s.timeline.len(), 3);
        assert_eq!(s.timeline[0].at, "2023-05-16 07:02");
        assert_eq!(s.timeline[0].event, "Rolling restart of the broker started");
        assert_eq!(s.timeline[2].at, "2023-05-16 07:41");
        let inc = s.incident.as_ref().unwrap();
        assert_eq!(inc.started_at.as_deref(), Some("2023-05-16T07:02:00+00:00"));
        assert_eq!(inc.time_to_detect_minutes, Some(7));
        assert_eq!(inc.time_to_mitigate_minutes, Some(39));
        // The row without a time stays in the narrative, under Timeline.
        let tl = s.narrative.find("## Timeline").unwrap();
        assert!(s.narrative[tl..].contains("Nobody remembers exactly"));
        assert!(s.narrative.contains("## Contributing Factors"));
        assert!(s.narrative.contains("in-sync replica count"));
        assert!(s.contributing_factors.is_empty());
        assert_eq!(s.lessons_learned.len(), 2);
        assert_eq!(s.action_items.len(), 3);
        assert_eq!(s.action_items[0].status.as_deref(), Some("done"));
        assert_eq!(s.action_items[1].status.as_deref(), Some("open"));
        assert_eq!(
            s.action_items[1].description,
            "Add a dashboard for under-replicated partitions"
        );
        assert_eq!(s.action_items[2].status, None);
        assert!(!s.narrative.contains("Attendees"));
        assert!(!s.narrative.contains("xyzzy"));
        assert!(!s.narrative.contains("AB, CD"));
        assert!(s.narrative.contains("## Stats"));
        assert!(!s.narrative.contains("# Message broker partitions"));
        assert!(!s.narrative.contains("## Summary"));
    }

    const MOJ_LIKE: &str = "# Incident on 2021-03-04 - Image registry unreachable

- **Key events**
  - First detected 2021-03-04 09:12
  - Incident declared 2021-03-04 09:30
  - Repaired 2021-03-04 10:05
  - Resolved 2021-03-04 11:20
  - Follow-up call held the next day

- **Time to repair**: 0h 53m

- **Time to resolve**: 2h 8m

- **Identified**: Builds failed to pull base images.

- **Impact**:
  - New deployments failed across the platform.
  - Running workloads were unaffected.

- **Context**:
  - The registry credentials were rotated without updating the pull secret.
  - Slack thread: <https://example.invalid/thread>

- **Resolution**:
  The pull secret was updated and the nodes refreshed their credentials.

- **Review actions**:
  - Automate the pull secret update on rotation
  - Alert on image pull failures
";

    #[test]
    fn ministry_style_layout() {
        let s = quick(MOJ_LIKE);
        assert_eq!(
            s.title,
            "Incident on 2021-03-04 - Image registry unreachable"
        );
        let ats: Vec<&str> = s.timeline.iter().map(|e| e.at.as_str()).collect();
        assert_eq!(
            ats,
            [
                "2021-03-04 09:12",
                "2021-03-04 09:30",
                "2021-03-04 10:05",
                "2021-03-04 11:20"
            ]
        );
        assert_eq!(s.timeline[0].event, "First detected");
        assert!(s.narrative.contains("Follow-up call held the next day"));
        let inc = s.incident.as_ref().unwrap();
        assert_eq!(inc.started_at, None, "no time zone given");
        assert_eq!(inc.time_to_mitigate_minutes, Some(53));
        assert_eq!(inc.time_to_resolve_minutes, Some(128));
        let impact = inc.impact.as_ref().unwrap().description.as_deref().unwrap();
        assert!(impact.contains("New deployments failed"));
        assert!(impact.contains("Running workloads"));
        assert_eq!(
            s.action_items
                .iter()
                .map(|a| a.description.as_str())
                .collect::<Vec<_>>(),
            [
                "Automate the pull secret update on rotation",
                "Alert on image pull failures"
            ]
        );
        assert!(s.narrative.contains("**Context**"));
        assert!(s.narrative.contains("credentials were rotated"));
        assert!(s.narrative.contains("**Resolution**"));
        assert!(s.narrative.contains("**Time to repair**: 0h 53m"));
        assert!(!s.narrative.contains("Automate the pull secret"));
        assert!(!s.summary.is_empty());
    }

    #[test]
    fn plain_paragraph_without_headings() {
        let md = "The nightly export job wrote to the wrong bucket for three days because a \
                  configuration default changed in a library upgrade. No data was exposed.";
        let s = quick(md);
        assert!(s.title.starts_with("The nightly export job"));
        assert_eq!(s.summary, md);
        assert_eq!(s.narrative, md);
        assert!(s.timeline.is_empty());
    }

    #[test]
    fn bold_pseudo_headings_and_colon_lines() {
        let md = "# Cache stampede after deploy\n\n\
                  **Summary**\n\nThe cache was flushed on deploy and the database saturated.\n\n\
                  **Timeline**\n\n\
                  - **14:02** Deploy finished\n\
                  * 2024-03-14 14:05 UTC: Database CPU at 100%\n\
                  1. 14:30 \u{2014} Cache warmed, load normal\n\
                  - 2:45 PM - Post-incident check done\n\n\
                  Root cause:\n\nThe deploy hook flushed every cache key at once.\n\n\
                  **Five whys**\n\n1. Why did the DB saturate? Cache misses.\n2. Why misses? Flush on deploy.\n\n\
                  **Trigger**\n\nA routine deploy.\n\n\
                  **What went well**\n\n- Alerts fired within a minute\n\n\
                  **Participants**\n\n- Jane Roe (IC)\n\n\
                  **How was it detected**\n\nDatabase CPU alert.\n";
        let s = quick(md);
        assert_eq!(s.title, "Cache stampede after deploy");
        assert_eq!(
            s.summary,
            "The cache was flushed on deploy and the database saturated."
        );
        let tl: Vec<(&str, &str)> = s
            .timeline
            .iter()
            .map(|e| (e.at.as_str(), e.event.as_str()))
            .collect();
        assert_eq!(
            tl,
            [
                ("14:02", "Deploy finished"),
                ("2024-03-14 14:05", "Database CPU at 100%"),
                ("2024-03-14 14:30", "Cache warmed, load normal"),
                ("2024-03-14 14:45", "Post-incident check done"),
            ]
        );
        assert_eq!(s.incident.as_ref().and_then(|i| i.started_at.clone()), None);
        assert_eq!(
            s.root_causes,
            [
                "The deploy hook flushed every cache key at once.",
                "Trigger: A routine deploy."
            ]
        );
        assert_eq!(s.trigger, None);
        assert_eq!(s.five_whys.len(), 2);
        assert_eq!(s.lessons_learned, ["Alerts fired within a minute"]);
        assert!(!s.narrative.contains("Jane Roe"));
        assert!(s.narrative.contains("Database CPU alert."));
    }

    #[test]
    fn started_at_and_time_formats() {
        let md = "# T\n\n## Timeline\n\n- 2024-03-14 02:14 GMT: alerts fired\n- 02:20:05 paged\n";
        let s = quick(md);
        assert_eq!(s.timeline[0].at, "2024-03-14 02:14");
        assert_eq!(s.timeline[1].at, "2024-03-14 02:20:05");
        assert_eq!(
            s.incident.unwrap().started_at.as_deref(),
            Some("2024-03-14T02:14:00+00:00")
        );
        let s = quick("# T\n\n## Key events\n\n- 2024-03-14T02:14:00+01:00 alerts fired\n");
        assert_eq!(s.timeline[0].at, "2024-03-14T02:14:00+01:00");
        assert_eq!(
            s.incident.unwrap().started_at.as_deref(),
            Some("2024-03-14T02:14:00+01:00")
        );
        let s =
            quick("# T\n\n## Timeline\n\n- 2024-03-14 02:14 CET alerts fired\n- 25:99 nonsense\n");
        assert_eq!(s.timeline.len(), 1);
        assert_eq!(s.incident.and_then(|i| i.started_at), None);
        assert!(s.narrative.contains("25:99 nonsense"));
    }

    #[test]
    fn action_item_tables_and_limits() {
        let mut md =
            String::from("# T\n\n## Action items\n\n| Action | Owner | Status |\n|---|---|---|\n");
        md.push_str("| Fix the alert | Jane | Done |\n| Write runbook | Bob | In progress |\n");
        md.push_str(
            "| Retire cron | Ann | Won't do |\n| Add test | Al | To do |\n| Misc | X | ??? |\n",
        );
        md.push_str("\n## Resolution\n\nFixed.\n");
        let s = quick(&md);
        let got: Vec<(&str, Option<&str>)> = s
            .action_items
            .iter()
            .map(|a| (a.description.as_str(), a.status.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("Fix the alert", Some("done")),
                ("Write runbook", Some("in-progress")),
                ("Retire cron", Some("wont-do")),
                ("Add test", Some("open")),
                ("Misc", None),
            ]
        );
        assert!(!s.narrative.contains("Jane"));

        let mut md = String::from("# T\n\n## Lessons learned\n\n");
        for i in 0..150 {
            md.push_str(&format!("- lesson {i}\n"));
        }
        md.push_str(&format!("- {}\n", "word ".repeat(2000)));
        let s = quick(&md);
        assert_eq!(s.lessons_learned.len(), 100);
        assert!(s.narrative.contains("lesson 149"));

        let long = "A sentence that goes on. ".repeat(400);
        let s = quick(&format!("# T\n\n## Summary\n\n{long}\n"));
        assert!(s.summary.ends_with('.'));
        assert!(s.narrative.contains("## Summary"));
    }

    #[test]
    fn empty_and_blank_input() {
        let s = quick("");
        assert!(s.title.is_empty() && s.narrative.is_empty());
        let s = quick("   \n\n\t\n");
        assert!(s.narrative.trim().is_empty());
        let s = quick("# Only a title\n");
        assert_eq!(s.title, "Only a title");
        assert!(!s.narrative.is_empty());
    }

    #[test]
    fn staff_sections() {
        for h in [
            "## Attendees",
            "Participants",
            "**Incident commanders**",
            "Team",
            "Atendees:",
            "Reviewers (optional)",
        ] {
            assert!(is_staff_section(h), "{h}");
        }
        for h in [
            "## Timeline",
            "Team communication",
            "Summary",
            "People problems",
        ] {
            assert!(!is_staff_section(h), "{h}");
        }
    }

    #[test]
    fn adversarial_inputs_return_quickly() {
        let inputs = [
            "#".repeat(100_000),
            ">".repeat(50_000),
            "- ".repeat(50_000),
            (0..50_000)
                .map(|i| format!("{}- x\n", " ".repeat(i % 64)))
                .collect::<String>(),
            (0..50_000).map(|_| "> ").collect::<String>() + "text",
            "<!-- never closed\n".to_string() + &"text\n".repeat(1000),
            "a".repeat(1_000_000),
            "word ".repeat(200_000),
            "**".repeat(100_000),
            "|".repeat(100_000) + "\n" + &"|-".repeat(50_000),
            "## Timeline\n".to_string() + &"- 12:00 x\n".repeat(5_000),
            "## Timeline\n".to_string() + &"1".repeat(100_000),
            "```\n".repeat(10_000),
            "---\n".repeat(10_000),
            "x\n===\n".repeat(10_000),
            "\u{e9}\u{1f600}".repeat(200_000),
            "# \u{1f600}".to_string() + &"\u{e9}".repeat(300_000),
            "Summary:".repeat(50_000),
            "\0\r\r\n<!---->".repeat(10_000),
        ];
        for input in &inputs {
            let s = quick(input);
            assert!(s.narrative.len() <= limits::NARRATIVE_BYTES);
        }
        let s = quick(&inputs[6]);
        assert_eq!(s.title.chars().count(), limits::TITLE_CHARS);
        assert!(!s.narrative.is_empty());
        let s = quick(&inputs[10]);
        assert_eq!(s.timeline.len(), limits::TIMELINE_ENTRIES);
    }

    #[test]
    fn corpus_full_texts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/full-texts.jsonl"
        );
        let Ok(data) = std::fs::read_to_string(path) else {
            println!("skipping: {path} not found");
            return;
        };
        let mut dfds = 0;
        let mut dfds_good = 0;
        let mut n = 0;
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            let text = v["text"].as_str().unwrap_or_default();
            let id = v["id"].as_str().unwrap_or_default();
            let s = quick(text);
            n += 1;
            assert!(!s.title.trim().is_empty(), "{id}: empty title");
            assert!(!s.summary.trim().is_empty(), "{id}: empty summary");
            assert!(!s.narrative.trim().is_empty(), "{id}: empty narrative");
            assert!(
                !s.narrative.lines().any(|l| {
                    let l = l.to_lowercase();
                    l.trim_start().starts_with('#')
                        && (l.contains("attendees") || l.contains("atendees"))
                }),
                "{id}: attendees left in the narrative"
            );
            let mut sub = s.clone();
            sub.declared_terms = Default::default();
            if let Err(e) = crate::report::validate(sub) {
                panic!("{id}: does not validate: {e:?}");
            }
            if v["source"] == "dfds/postmortems" {
                dfds += 1;
                if !s.timeline.is_empty()
                    && (!s.lessons_learned.is_empty() || !s.action_items.is_empty())
                {
                    dfds_good += 1;
                }
            }
        }
        assert!(n > 0);
        assert!(
            dfds_good * 2 >= dfds,
            "{dfds_good} of {dfds} DFDS entries mapped"
        );
        println!(
            "{n} documents; {dfds_good} of {dfds} DFDS entries with timeline and lessons/actions"
        );
    }
}
