//! De-identification: a validated submission in, a report that points back
//! to no company and no person out, plus findings that say what was replaced
//! (kind, placeholder, fields, count — never the original value) and
//! warnings about what might still identify.
//!
//! Pure functions, no I/O: this runs in the request handler before anything
//! is stored or logged.

pub mod consistency;
pub mod datetimes;
pub mod declared;
pub mod detect;
pub mod leftovers;
pub mod lists;
pub mod normalise;
pub mod staff;
pub mod time;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::report::completeness::{assess, Completeness};
use crate::report::submission::DeclaredTerms;
use crate::report::{Flag, IncidentFacts, ReportContent, ValidSubmission};

use consistency::{KnownPlaceholders, PlaceholderMap};
use datetimes::{Coarsener, Reference};
use declared::TermMatcher;
use detect::Span;
use normalise::Skeleton;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Organization,
    Product,
    Person,
    Location,
    Term,
    Email,
    Url,
    Ip,
    Mac,
    Host,
    Channel,
    Handle,
    Account,
    Arn,
    Resource,
    Project,
    Guid,
    Secret,
    Phone,
    Card,
    Iban,
    /// An absolute date or time, coarsened to a month or an offset.
    Datetime,
    /// A staff list (Attendees, Participants, Owners), dropped whole.
    StaffList,
    /// A placeholder already in the text; left as it is.
    #[serde(skip)]
    Kept,
}

impl FindingKind {
    pub fn prefix(self) -> &'static str {
        match self {
            FindingKind::Organization => "ORG",
            FindingKind::Product => "PRODUCT",
            FindingKind::Person => "PERSON",
            FindingKind::Location => "LOCATION",
            FindingKind::Term => "TERM",
            FindingKind::Email => "EMAIL",
            FindingKind::Url => "URL",
            FindingKind::Ip => "IP",
            FindingKind::Mac => "MAC",
            FindingKind::Host => "HOST",
            FindingKind::Channel => "CHANNEL",
            FindingKind::Handle => "HANDLE",
            FindingKind::Account => "ACCOUNT",
            FindingKind::Arn => "ARN",
            FindingKind::Resource => "RESOURCE",
            FindingKind::Project => "PROJECT",
            FindingKind::Guid => "ID",
            FindingKind::Secret => "SECRET",
            FindingKind::Phone => "PHONE",
            FindingKind::Card => "CARD",
            FindingKind::Iban => "IBAN",
            FindingKind::Datetime | FindingKind::StaffList | FindingKind::Kept => "",
        }
    }

    fn from_prefix(prefix: &str) -> Option<FindingKind> {
        use FindingKind::*;
        [
            Organization,
            Product,
            Person,
            Location,
            Term,
            Email,
            Url,
            Ip,
            Mac,
            Host,
            Channel,
            Handle,
            Account,
            Arn,
            Resource,
            Project,
            Guid,
            Secret,
            Phone,
            Card,
            Iban,
        ]
        .into_iter()
        .find(|k| k.prefix() == prefix)
    }

    /// Which span wins when two start at the same place and are as long:
    /// what is already a placeholder, then secrets, then what the submitter
    /// declared.
    fn priority(self) -> u8 {
        match self {
            FindingKind::Kept => 0,
            FindingKind::Secret => 1,
            FindingKind::Organization
            | FindingKind::Product
            | FindingKind::Person
            | FindingKind::Location
            | FindingKind::Term => 2,
            _ => 3,
        }
    }
}

/// One placeholder and where it was used. Never carries the original value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub placeholder: String,
    pub fields: Vec<String>,
    pub count: usize,
}

/// Replaces identifying text with typed placeholders, consistently across
/// every field given to the same `Redactor`.
pub struct Redactor {
    declared: TermMatcher,
    learned: TermMatcher,
    times: Coarsener,
    /// Texts `learn` has prepared, for `redact` to reuse.
    prepared: Vec<Prepared>,
    known: Option<KnownPlaceholders>,
    /// What each value became, by kind: values are looked up by `&str`
    /// for every span replaced.
    assigned: consistency::Assigned,
    next: BTreeMap<FindingKind, usize>,
    findings: BTreeMap<String, Finding>,
}

impl Redactor {
    pub fn new(terms: &DeclaredTerms) -> Redactor {
        Redactor {
            declared: TermMatcher::declared(terms),
            learned: TermMatcher::new(Vec::new()),
            times: Coarsener { reference: None },
            prepared: Vec::new(),
            known: None,
            assigned: BTreeMap::new(),
            next: BTreeMap::new(),
            findings: BTreeMap::new(),
        }
    }

    /// Times in the text become offsets from this incident start.
    pub fn with_reference(mut self, started_at: Option<&str>) -> Redactor {
        self.times.reference = started_at.and_then(Reference::start);
        self
    }

    /// Reuse the placeholders of an earlier redaction of the same report
    /// (an amendment presented with its receipt).
    pub fn with_known(mut self, known: KnownPlaceholders) -> Redactor {
        for placeholder in known.placeholders() {
            self.note_existing(placeholder);
        }
        self.known = Some(known);
        self
    }

    /// Number new placeholders after those already in `texts` (a reviewer's
    /// extra redaction of a stored report).
    pub fn continue_after(mut self, texts: &[&str]) -> Redactor {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = detect::regex(&RE, r"\[([A-Z]+)(?:-([0-9]+))?\]");
        for t in texts {
            for c in re.captures_iter(t) {
                self.note_existing(c.get(0).map_or("", |m| m.as_str()));
            }
        }
        self
    }

    fn note_existing(&mut self, placeholder: &str) {
        let inner = placeholder.trim_start_matches('[').trim_end_matches(']');
        let (prefix, n) = match inner.split_once('-') {
            Some((p, n)) => (p, n.parse::<usize>().unwrap_or(1)),
            None => (inner, 1),
        };
        if let Some(kind) = FindingKind::from_prefix(prefix) {
            let next = self.next.entry(kind).or_insert(0);
            *next = (*next).max(n);
        }
    }

    /// Look through every text once before redacting, so a lone `Priya`
    /// later gets the placeholder of `Priya Nandakumar` found elsewhere, a
    /// user name from the attendee list is found in the action items, and a
    /// password quoted again in prose goes too.
    pub fn learn(&mut self, texts: &[&str]) {
        let mut names = Vec::new();
        for t in texts {
            let (dropped, staff, members) = staff::split_staff(&normalise::clean(t));
            // Everyone in a staff list, wherever else they are named.
            names.extend(members.iter().filter_map(|m| detect::staff_member_term(m)));
            let stretches = detect::Stretches::new(&dropped);
            let mut people = Vec::new();
            detect::people(&dropped, &stretches, &mut people);
            names.extend(detect::learn_names(&people, &dropped));
            // A secret pasted once in a command is often quoted again in prose.
            let mut found = Vec::new();
            detect::all(&dropped, &stretches, &mut found);
            for s in found
                .iter()
                .filter(|s| s.kind == FindingKind::Secret && s.end - s.start >= 6)
            {
                names.push((
                    declared::Term {
                        kind: FindingKind::Secret,
                        key: s.key.clone(),
                    },
                    dropped[s.start..s.end].to_string(),
                ));
            }
            // `redact` will need the same text, cleaned, and its detections.
            self.prepared.push(Prepared {
                text: t.to_string(),
                clean: dropped,
                stretches,
                staff,
                found,
                people,
            });
        }
        self.learned = TermMatcher::exact(names);
    }

    /// Give `key` its placeholder, the first time it is replaced: the one
    /// an earlier redaction of the report gave it, or the next number.
    fn assign(&mut self, kind: FindingKind, key: &str) {
        let p = match self.known.as_ref().and_then(|k| k.lookup(key)) {
            Some(p) => p,
            None => {
                let n = self.next.entry(kind).or_insert(0);
                *n += 1;
                // The submitting organisation is `[ORG]`; only a second one
                // is numbered.
                if kind == FindingKind::Organization && *n == 1 {
                    "[ORG]".to_string()
                } else {
                    format!("[{}-{}]", kind.prefix(), n)
                }
            }
        };
        self.assigned
            .entry(kind)
            .or_default()
            .insert(key.to_string(), p);
    }

    /// The text with every identifying span replaced.
    pub fn redact(&mut self, field: &str, text: &str) -> String {
        let (clean, spans) = self.spans(field, text);
        self.replace(field, &clean, spans)
    }

    /// The clean text and the spans that would be replaced in it, without
    /// replacing anything (for measuring the redactor).
    pub fn analyse(&mut self, text: &str) -> (String, Vec<Span>) {
        let (clean, spans) = self.spans("analysis", text);
        (clean, resolve(spans))
    }

    fn spans(&mut self, field: &str, text: &str) -> (String, Vec<Span>) {
        let Prepared {
            clean,
            stretches,
            staff,
            found: mut spans,
            people: guessed,
            ..
        } = self.prepare(text);
        if staff > 0 {
            record(
                &mut self.findings,
                FindingKind::StaffList,
                "(section removed)",
                field,
                staff,
            );
        }
        self.times.find(&clean, &stretches, &mut spans);
        // Declared, then known, then learned names go in before the name
        // detector: for the same stretch of text, the earlier span wins
        // (the sort in `resolve` is stable), and these carry the better key.
        if !self.declared.is_empty() || !self.learned.is_empty() || self.known.is_some() {
            let skeleton = Skeleton::new(&clean);
            self.declared.find(&clean, &skeleton, &mut spans);
            if let Some(known) = &self.known {
                known.find(&clean, &skeleton, &mut spans);
            }
            self.learned.find(&clean, &skeleton, &mut spans);
        }
        // Names by heuristics never override what the submitter declared
        // (`Veridian Bicep` is the declared `Veridian` and a technology).
        let certain: Vec<(usize, usize)> = spans
            .iter()
            .filter(|s| s.kind.priority() == 2)
            .map(|s| (s.start, s.end))
            .collect();
        spans.extend(guessed.into_iter().filter(|g| {
            !certain
                .iter()
                .any(|&(a, b)| g.start < b && a < g.end && (a, b) != (g.start, g.end))
        }));
        (clean, spans)
    }

    /// Replace `spans` in `clean`.
    fn replace(&mut self, field: &str, clean: &str, spans: Vec<Span>) -> String {
        let mut out = String::with_capacity(clean.len());
        let mut cursor = 0;
        for span in resolve(spans) {
            out.push_str(&clean[cursor..span.start]);
            match (&span.kind, &span.replacement) {
                (FindingKind::Kept, _) => out.push_str(&clean[span.start..span.end]),
                (_, Some(replacement)) => {
                    out.push_str(replacement);
                    record(&mut self.findings, span.kind, "(month or offset)", field, 1);
                }
                _ => {
                    // Looked up again rather than cloned: most values were
                    // given their placeholder at an earlier mention.
                    if !self
                        .assigned
                        .get(&span.kind)
                        .is_some_and(|values| values.contains_key(&span.key))
                    {
                        self.assign(span.kind, &span.key);
                    }
                    let p = &self.assigned[&span.kind][&span.key];
                    out.push_str(p);
                    record(&mut self.findings, span.kind, p, field, 1);
                }
            }
            cursor = span.end;
        }
        out.push_str(&clean[cursor..]);
        out
    }

    /// Replace only the declared terms: for a second pass over text that
    /// was already de-identified (a reviewer's extra redaction), where the
    /// detectors have done their work and must not renumber anything.
    pub fn redact_terms_only(&mut self, field: &str, text: &str) -> String {
        let clean = normalise::clean(text);
        let mut spans: Vec<Span> = Vec::new();
        detect::placeholders(&clean, &mut spans);
        let skeleton = Skeleton::new(&clean);
        self.declared.find(&clean, &skeleton, &mut spans);
        self.replace(field, &clean, spans)
    }

    pub fn findings(&self) -> Vec<Finding> {
        let mut f: Vec<Finding> = self.findings.values().cloned().collect();
        f.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.placeholder.cmp(&b.placeholder)));
        f
    }

    /// What each identifying value became, as HMACs under `key` only.
    pub fn placeholder_map(
        &self,
        key: &consistency::MapKey,
        declared: &DeclaredTerms,
    ) -> PlaceholderMap {
        PlaceholderMap::build(key, &self.assigned, declared)
    }
}

/// Count one more use of `placeholder` in `field`. Looked up before
/// inserting: the placeholder is copied only the first time.
fn record(
    findings: &mut BTreeMap<String, Finding>,
    kind: FindingKind,
    placeholder: &str,
    field: &str,
    count: usize,
) {
    match findings.get_mut(placeholder) {
        Some(f) => {
            f.count += count;
            if !f.fields.iter().any(|x| x == field) {
                f.fields.push(field.to_string());
            }
        }
        None => {
            findings.insert(
                placeholder.to_string(),
                Finding {
                    kind,
                    placeholder: placeholder.to_string(),
                    fields: vec![field.to_string()],
                    count,
                },
            );
        }
    }
}

/// A text as `learn` saw it: cleaned, without staff sections (`staff` of
/// them), and what the detectors found in it.
struct Prepared {
    text: String,
    clean: String,
    stretches: detect::Stretches,
    staff: usize,
    found: Vec<Span>,
    people: Vec<Span>,
}

impl Redactor {
    /// `text` cleaned and run through the detectors — by `learn` already,
    /// usually (each prepared text is used once: a text given twice to
    /// `redact` is prepared again).
    fn prepare(&mut self, text: &str) -> Prepared {
        if let Some(i) = self.prepared.iter().position(|p| p.text == text) {
            return self.prepared.swap_remove(i);
        }
        let (clean, staff) = staff::drop_staff_sections(&normalise::clean(text));
        let stretches = detect::Stretches::new(&clean);
        let mut found = Vec::new();
        detect::all(&clean, &stretches, &mut found);
        let mut people = Vec::new();
        detect::people(&clean, &stretches, &mut people);
        Prepared {
            text: String::new(),
            clean,
            stretches,
            staff,
            found,
            people,
        }
    }
}

/// Non-overlapping spans in text order. Leftmost first; at the same start
/// the longest wins (a URL over the organisation name inside it), then the
/// higher priority, then the one found first.
fn resolve(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.kind.priority().cmp(&b.kind.priority()))
    });
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut cursor = 0;
    for span in spans {
        if span.end <= span.start {
            continue;
        }
        if span.start < cursor {
            // A span that runs on past the one kept before it must not
            // leave its tail behind: that span grows over it. So a declared
            // term glued to a clock time goes whole, and so does an address
            // whose local part is a learned name (`tomasz.fernández@host`,
            // where the ASCII-only address pattern used to start at `ndez`,
            // lost to the name and left `[PERSON-1]@host`). A placeholder
            // already in the text stays as it was, and a coarsened time
            // only rewrites what it covers.
            if span.end > cursor && span.kind != FindingKind::Kept && span.replacement.is_none() {
                if let Some(last) = out.last_mut().filter(|l| l.kind != FindingKind::Kept) {
                    last.end = span.end;
                    cursor = span.end;
                }
            }
            continue;
        }
        cursor = span.end;
        out.push(span);
    }
    out
}

/// A submission after de-identification: what may be stored, and what the
/// preview shows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deidentified {
    pub content: ReportContent,
    pub findings: Vec<Finding>,
    pub flags: Vec<Flag>,
    pub completeness: Completeness,
}

/// The whole de-identification of a validated submission. Declared terms are
/// used here and dropped; the redactor is returned so the caller can keep a
/// keyed map of its placeholders.
pub fn deidentify_with(valid: ValidSubmission) -> (Deidentified, Redactor, DeclaredTerms) {
    let ValidSubmission {
        submission: s,
        flags,
    } = valid;
    let incident = s.incident.unwrap_or_default();
    let mut redactor =
        Redactor::new(&s.declared_terms).with_reference(incident.started_at.as_deref());
    let (month, time_of_day) = incident
        .started_at
        .as_deref()
        .and_then(time::month_and_block)
        .unzip();
    let mut content = ReportContent {
        title: s.title,
        summary: s.summary,
        narrative: s.narrative,
        industry: s.industry,
        organization_size: s.organization_size,
        incident: IncidentFacts {
            year: None,
            month,
            time_of_day,
            severity: incident.severity,
            detection: incident.detection,
            time_to_detect_minutes: incident.time_to_detect_minutes,
            time_to_mitigate_minutes: incident.time_to_mitigate_minutes,
            time_to_resolve_minutes: incident.time_to_resolve_minutes,
            impact: incident.impact,
        },
        technologies: s.technologies,
        trigger: s.trigger,
        contributing_factors: s.contributing_factors,
        mitigations: s.mitigations,
        human_factors: s.human_factors,
        timeline: time::to_offsets(incident.started_at.as_deref(), &s.timeline),
        root_causes: s.root_causes,
        five_whys: s.five_whys,
        lessons_learned: s.lessons_learned,
        action_items: s.action_items,
    };
    let mut texts = content.texts_mut();
    let snapshot: Vec<String> = texts.iter().map(|(_, t)| t.to_string()).collect();
    redactor.learn(&snapshot.iter().map(String::as_str).collect::<Vec<_>>());
    for (field, text) in texts.iter_mut() {
        **text = redactor.redact(field, text);
    }
    drop(texts);
    let completeness = assess(&content);
    let d = Deidentified {
        content,
        findings: redactor.findings(),
        flags,
        completeness,
    };
    (d, redactor, s.declared_terms)
}

pub fn deidentify(valid: ValidSubmission) -> Deidentified {
    deidentify_with(valid).0
}

/// De-identify one free text (a reviewer's synopsis) with its own declared
/// terms.
pub fn deidentify_text(field: &str, text: &str, terms: &DeclaredTerms) -> (String, Vec<Finding>) {
    let mut r = Redactor::new(terms);
    r.learn(&[text]);
    let out = r.redact(field, text);
    (out, r.findings())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> DeclaredTerms {
        DeclaredTerms {
            organization: vec!["Acme Pay".into()],
            people: vec!["Maria Lopez".into(), "Ken".into()],
            ..Default::default()
        }
    }

    #[test]
    fn replaces_consistently_across_fields() {
        let mut r = Redactor::new(&terms());
        let a = r.redact(
            "summary",
            "Acme Pay's gateway failed; Maria Lopez paged Ken.",
        );
        let b = r.redact(
            "narrative",
            "ACME PAY saw it at 10.1.2.3 and mail maria@acmepay.example, https://status.acmepay.example/x. Ken's fix.",
        );
        assert_eq!(a, "[ORG]'s gateway failed; [PERSON-1] paged [PERSON-2].");
        assert_eq!(
            b,
            "[ORG] saw it at [IP-1] and mail [EMAIL-1], [URL-1]. [PERSON-2]'s fix."
        );
        let f = r.findings();
        let org = f.iter().find(|x| x.placeholder == "[ORG]").unwrap();
        assert_eq!((org.count, org.fields.len()), (2, 2));
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("Maria") && !json.contains("10.1.2.3"));
    }

    #[test]
    fn whole_words_only_and_placeholders_survive() {
        let mut r = Redactor::new(&terms());
        assert_eq!(
            r.redact("f", "Kentucky and Token and [PERSON-9]"),
            "Kentucky and Token and [PERSON-9]"
        );
    }

    /// Found by the property test: `aM` of `aMAAAAAnd` was read as the
    /// `a.m.` of the clock time before it, and the time's span took the
    /// first letter of the declared `Maaaaa`, which then lost to it.
    #[test]
    fn a_declared_term_glued_to_a_clock_time_goes_whole() {
        let terms = DeclaredTerms {
            organization: vec!["Maaaaa".into()],
            ..Default::default()
        };
        let text = "The primary failed at 02:14 aMAAAAAnd failover took 47 seconds.";
        let mut r = Redactor::new(&terms).with_reference(Some("2023-03-14T02:00:00Z"));
        r.learn(&[text]);
        let out = r.redact("narrative", text);
        assert_eq!(
            out,
            "The primary failed at T+14m a[ORG]nd failover took 47 seconds."
        );
    }

    /// Whatever the detectors find, a declared term that starts inside an
    /// earlier span and ends beyond it leaves nothing of itself behind.
    #[test]
    fn a_declared_term_past_the_end_of_an_earlier_span_is_covered() {
        let mut time = Span::new(3, 9, FindingKind::Datetime, String::new());
        time.replacement = Some("T+0".into());
        let term = Span::new(7, 14, FindingKind::Organization, "maaaaa".into());
        let ip = Span::new(20, 28, FindingKind::Ip, "10.0.0.1".into());
        let kept = Span::new(30, 35, FindingKind::Kept, String::new());
        let late = Span::new(33, 40, FindingKind::Person, "x".into());
        let resolved = resolve(vec![ip, term, time, late, kept]);
        let ranges: Vec<(usize, usize, FindingKind)> =
            resolved.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(
            ranges,
            [
                (3, 14, FindingKind::Datetime),
                (20, 28, FindingKind::Ip),
                (30, 35, FindingKind::Kept)
            ]
        );
    }

    /// Whatever the two kinds, a span that starts inside the one kept
    /// before it and runs on past it is covered by that one.
    #[test]
    fn an_address_past_the_end_of_a_name_is_covered() {
        let name = Span::new(0, 16, FindingKind::Person, "tomasz".into());
        let email = Span::new(12, 40, FindingKind::Email, "ndez@x".into());
        let resolved = resolve(vec![email, name]);
        let ranges: Vec<(usize, usize, FindingKind)> =
            resolved.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(ranges, [(0, 40, FindingKind::Person)]);
    }

    /// Addresses whose local part or domain is not ASCII, as names with
    /// accents make them: neither the domain nor any part of the address
    /// is left.
    #[test]
    fn addresses_with_accents_go_whole() {
        for (who, address) in [
            ("Tomasz Fernández", "tomasz.fernández@hollowbrook.example"),
            ("Joaquín Sato", "joaquín.sato@amberlight.example"),
            ("Sofia Lefèvre", "sofia.lefèvre@goldcrest.example"),
            ("Kwame Szabó", "kwame.szabó@tessellate.example"),
            ("Zoë Ng", "zoë@bücherstube.example"),
        ] {
            let text = format!("Questions can go to {who} ({address}).");
            let mut r = Redactor::new(&DeclaredTerms::default());
            r.learn(&[&text]);
            let out = r.redact("narrative", &text);
            let domain = address.split_once('@').unwrap().1;
            let stem = domain.split('.').next().unwrap();
            assert!(!out.contains('@') && !out.contains(stem), "{text} -> {out}");
            let alone = format!("Mail {address} today.");
            let mut r = Redactor::new(&DeclaredTerms::default());
            assert_eq!(r.redact("narrative", &alone), "Mail [EMAIL-1] today.");
        }
    }

    /// A learned given name stands for the whole name, but is found as a
    /// word only: it is too short to be a name inside another word.
    #[test]
    fn a_learned_short_name_is_not_replaced_inside_words() {
        let text = "Ana Lima restarted the canary that cert-manager managed; \
                    Grafana analysis showed Ewa Nowak the gateway renewal failing. \
                    Later Ana and Ewa agreed.";
        let mut r = Redactor::new(&DeclaredTerms::default());
        r.learn(&[text]);
        let out = r.redact("narrative", text);
        assert_eq!(
            out,
            "[PERSON-1] restarted the canary that cert-manager managed; \
             Grafana analysis showed [PERSON-2] the gateway renewal failing. \
             Later [PERSON-1] and [PERSON-2] agreed."
        );
    }

    #[test]
    fn learned_names_share_a_placeholder() {
        let mut r = Redactor::new(&DeclaredTerms::default());
        let texts = [
            "Priya restarted it.",
            "Later Priya Nandakumar and Nandakumar's team agreed.",
        ];
        r.learn(&texts);
        let a = r.redact("a", texts[0]);
        let b = r.redact("b", texts[1]);
        assert_eq!(a, "[PERSON-1] restarted it.");
        assert_eq!(b, "Later [PERSON-1] and [PERSON-1]'s team agreed.");
    }

    #[test]
    fn a_possessive_stays_in_the_text_and_the_name_is_learned_without_it() {
        let text = "Ewa Nowak's gateway failed and Dana Whitfield’s pager stayed quiet. \
                    Later Nowak restarted it, and Ewa Nowak and Whitfield wrote this.";
        let mut r = Redactor::new(&DeclaredTerms::default());
        r.learn(&[text]);
        assert_eq!(
            r.redact("narrative", text),
            "[PERSON-1]'s gateway failed and [PERSON-2]’s pager stayed quiet. \
             Later [PERSON-1] restarted it, and [PERSON-1] and [PERSON-2] wrote this."
        );
    }
}
