//! Deterministic demo data: realistic, varied incident postmortems.
//!
//! Each report is built from one scenario template (a trigger, the
//! technologies involved and a failure mode, see `scenarios_*.rs`), a
//! fictional company, a severity and skewed durations. The same seed always
//! gives the same reports: all randomness comes from one `ChaCha8Rng`, and
//! every report gets its own sub-seed so a change in one template does not
//! shift the others.

mod names;
mod scen_a;
mod scen_b;
mod scen_c;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::report::submission::{
    ActionItem, DeclaredTerms, Impact, Incident, Submission, TimelineEntry,
};

/// `count` realistic, varied incident submissions, the same for the same seed.
pub fn generate(count: usize, seed: u64) -> Vec<Submission> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let table = scenarios();
    // Deal from shuffled decks (each template appears `weight` times per
    // deck) so every template, and so every trigger, shows up as soon as
    // `count` is at least one deck long, whatever the seed.
    let mut deck: Vec<usize> = Vec::new();
    let mut order: Vec<usize> = Vec::with_capacity(count);
    while order.len() < count {
        if deck.is_empty() {
            for (i, e) in table.iter().enumerate() {
                for _ in 0..e.weight {
                    deck.push(i);
                }
            }
            deck.shuffle(&mut rng);
        }
        order.push(deck.pop().expect("deck is not empty"));
    }
    // Title and summary together must be unique: draw again (from the same
    // stream, so still deterministic) on the rare collision.
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count);
    for i in order {
        let mut tries = 0;
        loop {
            let sub_seed: u64 = rng.gen();
            let s = build(&table[i], ChaCha8Rng::seed_from_u64(sub_seed));
            tries += 1;
            if seen.insert(format!("{}\n{}", s.title, s.summary)) || tries >= 20 {
                out.push(s);
                break;
            }
        }
    }
    out
}

/// One scenario template.
pub(super) struct Entry {
    pub f: fn(&mut Ctx) -> Sc,
    /// Copies per deck: common failure modes appear more often.
    pub weight: u8,
    /// The template can tell a near-miss story when `Ctx::nm` is set.
    pub near_miss: bool,
    /// Multiplies the time to mitigate and resolve.
    pub scale: f64,
    /// The incident starts at midnight UTC on the first of a month.
    pub month_start: bool,
    /// A slow-burning failure that is sometimes noticed only days later.
    pub slow: bool,
}

fn scenarios() -> Vec<Entry> {
    let mut v = Vec::new();
    v.extend(scen_a::entries());
    v.extend(scen_b::entries());
    v.extend(scen_c::entries());
    v
}

/// What a template produces: the story, in pieces the builder assembles.
#[derive(Default)]
pub(super) struct Sc {
    pub trigger: &'static str,
    pub techs: Vec<&'static str>,
    pub title: String,
    pub summary: String,
    pub happened: String,
    pub why: String,
    pub fix: String,
    /// Name of the alert that fires, for automated detection.
    pub alert: String,
    /// A clause saying what was observed: "checkout errors passed 5%".
    pub symptom: String,
    /// What users saw, as a sentence start: "Checkout requests failed".
    pub effect: String,
    /// Who told the vendor-notification story: "AWS".
    pub vendor: String,
    pub detections: Vec<&'static str>,
    pub cats: Vec<&'static str>,
    pub data_loss: bool,
    /// The impact is not a share of requests (corruption, security): the
    /// impact text is `effect` alone.
    pub plain_impact: bool,
    pub start_event: String,
    pub events: Vec<String>,
    pub mitigate_event: String,
    pub resolve_event: String,
    pub root_causes: Vec<String>,
    pub whys: Vec<String>,
    pub lessons: Vec<String>,
    pub actions: Vec<String>,
    pub factors: Vec<&'static str>,
    pub mitigations: Vec<&'static str>,
    pub humans: Vec<&'static str>,
}

/// Everything a template may use: randomness, the fictional company and
/// people (or their generic stand-ins), the platform, and the incident's
/// severity and durations (decided before the story is written, so the
/// prose can quote them).
pub(super) struct Ctx {
    pub rng: ChaCha8Rng,
    /// The report names its company, services and people.
    pub ident: bool,
    pub org: String,
    pub domain: String,
    pub role: &'static str,
    /// "ledger-api" or "the checkout service".
    pub svc: String,
    /// "ledger-api, our checkout service," or "our checkout service".
    pub svc_intro: String,
    /// A second, upstream or neighbouring service.
    pub svc2: String,
    /// The person on call, or "the on-call engineer".
    pub oncall: String,
    /// A second responder, or "a second engineer".
    pub eng2: String,
    pub platform: &'static str,
    pub lang: &'static str,
    pub cloud: &'static str,
    pub region: &'static str,
    pub obs: &'static str,
    pub nm: bool,
    pub sev: &'static str,
    /// Share of requests or users affected at the worst point, percent.
    pub pct: u32,
    pub ttd: u32,
    pub ttm: u32,
    pub ttr: u32,
}

impl Ctx {
    pub fn p(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.rng.gen_range(0..xs.len())]
    }
    pub fn ps(&mut self, xs: Vec<String>) -> String {
        let i = self.rng.gen_range(0..xs.len());
        xs.into_iter().nth(i).unwrap_or_default()
    }
    /// Moves detection to `m` minutes after the start, keeping the time
    /// from detection to mitigation and resolution.
    pub fn set_ttd(&mut self, m: u32) {
        let (dm, dr) = (self.ttm - self.ttd, self.ttr - self.ttd);
        self.ttd = m.max(1);
        self.ttm = self.ttd + dm;
        self.ttr = self.ttd + dr;
    }
    /// One of the given values, owned.
    pub fn pk<T>(&mut self, xs: Vec<T>) -> T {
        let i = self.rng.gen_range(0..xs.len());
        xs.into_iter().nth(i).expect("non-empty choice")
    }
    /// Inclusive range.
    pub fn n(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.gen_range(lo..=hi)
    }
    pub fn f(&mut self, lo: f64, hi: f64) -> f64 {
        self.rng.gen_range(lo..hi)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }
    pub fn ver(&mut self) -> String {
        format!("{}.{}.{}", self.n(1, 9), self.n(0, 24), self.n(0, 15))
    }
    /// An older and a newer version of the same component.
    pub fn ver_pair(&mut self) -> (String, String) {
        let (a, b, p) = (self.n(1, 9), self.n(0, 24), self.n(1, 15));
        let newer = if self.chance(0.5) {
            format!("{a}.{}.0", b + 1)
        } else {
            format!("{a}.{b}.{}", p + 1)
        };
        (format!("{a}.{b}.{p}"), newer)
    }
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.gen_range(0..16)]))
            .collect()
    }
    pub fn ip(&mut self) -> String {
        format!("10.{}.{}.{}", self.n(0, 60), self.n(0, 255), self.n(2, 250))
    }
    pub fn lang_name(&self) -> &'static str {
        display(self.lang)
    }
    pub fn platform_name(&self) -> &'static str {
        display(self.platform)
    }
    pub fn cloud_name(&self) -> &'static str {
        display(self.cloud)
    }
    pub fn obs_name(&self) -> &'static str {
        display(self.obs)
    }
    /// The names a template weaves into its prose, as owned strings.
    pub fn v(&self) -> V {
        V {
            svc: self.svc.clone(),
            svc2: self.svc2.clone(),
            oc: self.oncall.clone(),
            e2: self.eng2.clone(),
            lang: self.lang_name(),
            cloud: self.cloud_name(),
            region: self.region,
        }
    }
}

/// Owned copies of the names in a `Ctx`, so templates can format them while
/// drawing random numbers.
pub(super) struct V {
    pub svc: String,
    pub svc2: String,
    pub oc: String,
    pub e2: String,
    pub lang: &'static str,
    pub cloud: &'static str,
    pub region: &'static str,
}

/// Display names for technology ids.
pub(super) fn display(id: &str) -> &'static str {
    match id {
        "kubernetes" => "Kubernetes",
        "eks" => "EKS",
        "gke" => "GKE",
        "ec2" => "EC2",
        "nomad" => "Nomad",
        "docker" => "Docker",
        "java" => "Java",
        "go" => "Go",
        "python" => "Python",
        "nodejs" => "Node.js",
        "ruby" => "Ruby",
        "rails" => "Rails",
        "dotnet" => ".NET",
        "php" => "PHP",
        "rust" => "Rust",
        "aws" => "AWS",
        "gcp" => "Google Cloud",
        "azure" => "Azure",
        "prometheus" => "Prometheus",
        "datadog" => "Datadog",
        "grafana" => "Grafana",
        _ => "the platform",
    }
}

/// "47 minutes", "2 hours 10 minutes", "3 days".
pub(super) fn dur(m: u32) -> String {
    let plural = |n: u32, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    if m < 60 {
        plural(m.max(1), "minute")
    } else if m < 48 * 60 {
        let (h, r) = (m / 60, m % 60);
        if r == 0 || h >= 10 {
            plural(h, "hour")
        } else {
            format!("{} {}", plural(h, "hour"), plural(r, "minute"))
        }
    } else {
        let d = m / 1440;
        plural(d, "day")
    }
}

/// Capitalises the first letter of a phrase, unless it starts with an
/// internal service name, which keeps its spelling so that redaction (and
/// the declared terms) still match it.
pub(super) fn cap(s: &str) -> String {
    if names::SERVICE_NAMES.iter().any(|n| s.starts_with(n)) {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Time arithmetic (proleptic Gregorian, no time zone database needed).

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let next = if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    };
    next - days_from_civil(y, m, 1)
}

/// Local wall-clock time as minutes since the epoch, plus its UTC offset.
struct Clock {
    local_min: i64,
    offset: &'static str,
}

impl Clock {
    fn at(&self, plus_min: u32) -> String {
        let t = self.local_min + plus_min as i64;
        let (y, m, d) = civil_from_days(t.div_euclid(1440));
        let mins = t.rem_euclid(1440);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:00{}",
            mins / 60,
            mins % 60,
            self.offset
        )
    }
}

const OFFSETS: &[(&str, i64)] = &[
    ("+00:00", 0),
    ("+00:00", 0),
    ("+01:00", 60),
    ("+01:00", 60),
    ("+02:00", 120),
    ("-05:00", -300),
    ("-04:00", -240),
    ("-08:00", -480),
    ("-07:00", -420),
    ("+05:30", 330),
    ("+09:00", 540),
    ("+08:00", 480),
    ("-03:00", -180),
    ("+10:00", 600),
    ("+03:00", 180),
];

// ---------------------------------------------------------------------------
// Distributions.

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(1e-12..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

fn pick_weighted<T: Copy>(rng: &mut ChaCha8Rng, xs: &[(T, u32)]) -> T {
    let total: u32 = xs.iter().map(|x| x.1).sum();
    let mut r = rng.gen_range(0..total);
    for &(x, w) in xs {
        if r < w {
            return x;
        }
        r -= w;
    }
    xs[xs.len() - 1].0
}

/// A random subset of `xs` of a size in `lo..=hi` (capped at `xs.len()`),
/// in the template's order.
fn subset<T: Clone>(rng: &mut ChaCha8Rng, xs: &[T], lo: usize, hi: usize) -> Vec<T> {
    let hi = hi.min(xs.len());
    let lo = lo.min(hi);
    let k = rng.gen_range(lo..=hi);
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.shuffle(rng);
    let mut idx: Vec<usize> = idx.into_iter().take(k).collect();
    idx.sort_unstable();
    idx.into_iter().map(|i| xs[i].clone()).collect()
}

// ---------------------------------------------------------------------------
// Building one report.

const DEFAULT_DETECTIONS: &[&str] = &[
    "automated-alert",
    "automated-alert",
    "automated-alert",
    "customer-report",
    "synthetic-monitoring",
    "engineer-noticed",
    "internal-user-report",
];

fn build(entry: &Entry, mut rng: ChaCha8Rng) -> Submission {
    let &(org, industry, size) = names::COMPANIES.choose(&mut rng).expect("companies");
    let ident = rng.gen_bool(0.7);
    let roles = names::roles_for(industry);
    let role = *roles.choose(&mut rng).expect("roles");
    let role2 = loop {
        let r = *roles.choose(&mut rng).expect("roles");
        if r != role {
            break r;
        }
    };
    let domain = format!(
        "{}.example",
        org.split_whitespace()
            .next()
            .unwrap_or("corp")
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let mut first_names = Vec::new();
    let (svc, svc_intro, svc2, oncall, eng2) = if ident {
        let s1 = *names::SERVICE_NAMES.choose(&mut rng).expect("names");
        let s2 = loop {
            let s = *names::SERVICE_NAMES.choose(&mut rng).expect("names");
            if s != s1 {
                break s;
            }
        };
        let mut person = |rng: &mut ChaCha8Rng| {
            let first = loop {
                let f = *names::FIRST_NAMES.choose(rng).expect("names");
                if !first_names.contains(&f) {
                    break f;
                }
            };
            first_names.push(first);
            format!(
                "{} {}",
                first,
                names::LAST_NAMES.choose(rng).expect("names")
            )
        };
        let a = person(&mut rng);
        let b = person(&mut rng);
        (
            s1.to_string(),
            format!("{s1}, our {role} service,"),
            s2.to_string(),
            a,
            b,
        )
    } else {
        (
            format!("the {role} service"),
            format!("our {role} service"),
            format!("the {role2} service"),
            (*[
                "the on-call engineer",
                "the on-call engineer",
                "the on-call SRE",
                "the engineer on call",
                "the primary on-call",
            ]
            .choose(&mut rng)
            .expect("oncall"))
            .to_string(),
            (*[
                "a second engineer",
                "another engineer",
                "a platform engineer",
                "the incident lead",
                "a colleague from the owning team",
            ]
            .choose(&mut rng)
            .expect("eng2"))
            .to_string(),
        )
    };

    // Severity and durations first: the story quotes them.
    let nm = entry.near_miss && rng.gen_bool(0.35);
    let sev = if nm {
        "near-miss"
    } else {
        pick_weighted(
            &mut rng,
            &[("sev1", 11), ("sev2", 31), ("sev3", 40), ("sev4", 18)],
        )
    };
    let (ttd, ttm, ttr) = durations(&mut rng, sev, entry.scale, entry.slow);
    let pct = match sev {
        "sev1" => rng.gen_range(55..=100),
        "sev2" => rng.gen_range(18..=70),
        "sev3" => rng.gen_range(4..=30),
        "sev4" => rng.gen_range(1..=8),
        _ => 0,
    };

    // Start time.
    let year = pick_weighted(
        &mut rng,
        &[
            (2019, 8),
            (2020, 10),
            (2021, 12),
            (2022, 14),
            (2023, 16),
            (2024, 17),
            (2025, 16),
            (2026, 9),
        ],
    );
    let month = if year == 2026 {
        rng.gen_range(1..=9)
    } else {
        rng.gen_range(1..=12)
    };
    let clock = if entry.month_start {
        let days = days_from_civil(year as i64, month, 1);
        Clock {
            local_min: days * 1440 + rng.gen_range(0..3),
            offset: "+00:00",
        }
    } else {
        let day = rng.gen_range(1..=days_in_month(year as i64, month));
        // Incidents cluster in working hours but happen at any time.
        let hour: i64 = if rng.gen_bool(0.6) {
            rng.gen_range(9..19)
        } else {
            rng.gen_range(0..24)
        };
        let minute: i64 = rng.gen_range(0..60);
        let &(offset, _) = OFFSETS.choose(&mut rng).expect("offsets");
        Clock {
            local_min: days_from_civil(year as i64, month, day) * 1440 + hour * 60 + minute,
            offset,
        }
    };

    let cloud = pick_weighted(&mut rng, &[("aws", 6), ("gcp", 2), ("azure", 2)]);
    let region = match cloud {
        "aws" => *[
            "us-east-1",
            "eu-west-1",
            "eu-central-1",
            "us-west-2",
            "ap-southeast-2",
        ]
        .choose(&mut rng)
        .expect("r"),
        "gcp" => *[
            "europe-west1",
            "us-central1",
            "asia-northeast1",
            "europe-west4",
        ]
        .choose(&mut rng)
        .expect("r"),
        _ => *["westeurope", "eastus2", "uksouth", "northeurope"]
            .choose(&mut rng)
            .expect("r"),
    };
    let platform = match cloud {
        "aws" => pick_weighted(
            &mut rng,
            &[("kubernetes", 3), ("eks", 3), ("ec2", 3), ("nomad", 1)],
        ),
        "gcp" => pick_weighted(&mut rng, &[("gke", 3), ("kubernetes", 2)]),
        _ => pick_weighted(&mut rng, &[("kubernetes", 3), ("docker", 1)]),
    };
    let lang = pick_weighted(
        &mut rng,
        &[
            ("java", 4),
            ("go", 4),
            ("python", 4),
            ("nodejs", 3),
            ("ruby", 2),
            ("dotnet", 2),
            ("php", 1),
            ("rust", 1),
        ],
    );
    let obs = pick_weighted(
        &mut rng,
        &[("prometheus", 5), ("datadog", 4), ("grafana", 2)],
    );

    let mut c = Ctx {
        rng,
        ident,
        org: org.to_string(),
        domain,
        role,
        svc,
        svc_intro,
        svc2,
        oncall,
        eng2,
        platform,
        lang,
        cloud,
        region,
        obs,
        nm,
        sev,
        pct,
        ttd,
        ttm,
        ttr,
    };
    let sc = (entry.f)(&mut c);
    assemble(c, sc, clock, industry, size)
}

fn durations(rng: &mut ChaCha8Rng, sev: &str, scale: f64, slow: bool) -> (u32, u32, u32) {
    let mut ttd = if sev == "near-miss" {
        lognormal(rng, 25.0, 1.4)
    } else {
        lognormal(rng, 6.0, 0.95)
    };
    // Slow-burning problems are sometimes noticed only days later.
    if slow && matches!(sev, "sev3" | "sev4" | "near-miss") && rng.gen_bool(0.15) {
        ttd *= rng.gen_range(30.0..300.0);
    }
    let (mit_med, res_med) = match sev {
        "sev1" => (45.0, 100.0),
        "sev2" => (35.0, 70.0),
        "sev3" => (30.0, 55.0),
        "sev4" => (45.0, 80.0),
        _ => (40.0, 120.0),
    };
    let mit = lognormal(rng, mit_med * scale, 0.8);
    let mut res = lognormal(rng, res_med * scale, 1.0);
    if rng.gen_bool(0.05) {
        res *= rng.gen_range(8.0..40.0);
    }
    let ttd = (ttd.round() as u32).clamp(1, 14 * 1440);
    let ttm = ttd + (mit.round() as u32).clamp(2, 5 * 1440);
    let ttr = (ttm + (res.round() as u32).clamp(1, 12 * 1440)).min(20 * 1440);
    (ttd, ttm, ttr)
}

fn detection_sentence(c: &mut Ctx, sc: &Sc, method: &str, pager: bool) -> (String, String) {
    let d = dur(c.ttd);
    let team = c.p(names::TEAMS);
    let obs = c.obs_name();
    let via = if pager { " through PagerDuty" } else { "" };
    match method {
        "automated-alert" => (
            c.ps(vec![
                format!("The {obs} alert `{}` fired {d} after the first errors and paged {}{via}: {}.", sc.alert, c.oncall, sc.symptom),
                format!("{} was paged{via} {d} in, when `{}` fired in {obs}; {}.", cap(&c.oncall), sc.alert, sc.symptom),
            ]),
            format!("{obs} alert {} fired; {} paged", sc.alert, c.oncall),
        ),
        "customer-report" => (
            format!("No alert fired. We heard from customers first: the first support ticket came in {d} after the start, and by then {}.", sc.symptom),
            "First customer ticket reaches support; escalated to on-call".to_string(),
        ),
        "internal-user-report" => (
            format!("A colleague on the {team} team posted in the incident channel {d} in: {}.", sc.symptom),
            format!("{} team reports the problem in the incident channel", cap(team)),
        ),
        "synthetic-monitoring" => (
            format!("Our synthetic checks caught it {d} in: {}.", sc.symptom),
            "Synthetic check fails from three locations; on-call paged".to_string(),
        ),
        "engineer-noticed" => (
            format!("{} noticed it {d} in, while looking at a dashboard for an unrelated change: {}.", cap(&c.oncall), sc.symptom),
            format!("{} notices the problem on a dashboard", cap(&c.oncall)),
        ),
        "vendor-notification" => {
            let v = if sc.vendor.is_empty() { "Our provider".to_string() } else { sc.vendor.clone() };
            (
                format!("{v} notified us {d} after it began; on our side, {}.", sc.symptom),
                format!("Notification from {}", v.replace("Our ", "our ")),
            )
        }
        "social-media" => (
            format!("The first signal was a user complaining on social media, about {d} in; {}.", sc.symptom),
            "Social media team forwards user complaints".to_string(),
        ),
        "canary-analysis" => (
            format!("Automated canary analysis flagged it {d} in: {}.", sc.symptom),
            "Canary analysis marks the rollout as failing".to_string(),
        ),
        "audit-or-review" => (
            format!("It was caught by a routine review, {d} after it started: {}.", sc.symptom),
            "Routine review spots the problem".to_string(),
        ),
        _ => (
            format!("An automated security scan flagged it {d} in: {}.", sc.symptom),
            "Security scanner raises a finding".to_string(),
        ),
    }
}

const HEADINGS: &[[&str; 3]] = &[
    ["What happened", "Why it happened", "How we fixed it"],
    ["What happened", "Why it happened", "How we fixed it"],
    ["What happened", "Root cause", "Resolution"],
    ["Summary of events", "Why it happened", "Recovery"],
    ["What happened", "Contributing factors", "How we fixed it"],
    ["Incident", "Analysis", "Remediation"],
];

const WENT_WELL: &[&str] = &[
    "The incident channel was opened quickly and one person kept the timeline as we went.",
    "Rolling back was a single command and nobody hesitated to use it.",
    "Support had a holding message out to customers within minutes.",
    "The dashboards we needed already existed; we did not have to build queries during the incident.",
    "People who were not on call offered help but stayed out of the way once we had enough hands.",
    "We had a recent runbook for the recovery step and it was correct.",
    "The blast radius was smaller than it could have been because the batch jobs were paused in time.",
];

const NEAR_MISS_NOTES: &[&str] = &[
    "Nothing here was caught by design. It was caught because one person happened to look at the right thing at the right time, which is not a control we can rely on. We are writing it up because the same gap exists elsewhere and next time nobody may look.",
    "The safeguard that worked was added after an earlier scare and nobody expected it to matter again. The underlying weakness was still there, and we found two similar ones while reviewing this.",
    "If this had gone the other way, recovery would have needed people and procedures we do not have written down. We are treating it with the same follow-up as a real outage.",
];

const WENT_BADLY: &[&str] = &[
    "It took too long to agree on who was leading the incident.",
    "Several of us investigated the same hypothesis in parallel without knowing it.",
    "Our status page was updated late and said less than we knew.",
    "The most useful graph was on a dashboard most of the team did not know existed.",
    "We lost time to a red herring: an unrelated alert that had been flapping for weeks.",
    "Access to the production console needed an approval that took a while at that hour.",
];

fn assemble(
    mut c: Ctx,
    sc: Sc,
    clock: Clock,
    industry: &'static str,
    size: &'static str,
) -> Submission {
    // --- detection
    let detections: Vec<&str> = if sc.detections.is_empty() {
        DEFAULT_DETECTIONS.to_vec()
    } else {
        sc.detections.clone()
    };
    let method = detections[c.rng.gen_range(0..detections.len())];
    let pager = method == "automated-alert" && c.chance(0.5);
    let (detect_text, detect_event) = detection_sentence(&mut c, &sc, method, pager);

    // --- technologies
    let mut techs: Vec<String> = Vec::new();
    let push = |t: &str, techs: &mut Vec<String>| {
        if !techs.iter().any(|x| x == t) {
            techs.push(t.to_string());
        }
    };
    for t in &sc.techs {
        push(t, &mut techs);
    }

    // --- opening sentence
    let mention_platform = c.chance(0.55);
    let plat = c.platform_name();
    let opening = if c.nm && c.ident {
        format!("This is the write-up of a near miss at {}.", c.org)
    } else if c.nm {
        String::new()
    } else if c.ident {
        let region = c.region;
        let org = c.org.clone();
        c.ps(vec![
            if mention_platform {
                format!(
                    "{org} runs {} on {plat} in {region}.",
                    c.svc_intro.trim_end_matches(',')
                )
            } else {
                format!(
                    "This is the write-up of an incident at {org} that affected {}.",
                    c.svc_intro.trim_end_matches(',')
                )
            },
            format!(
                "The incident hit {} at {org}{}.",
                c.svc_intro.trim_end_matches(','),
                if mention_platform {
                    format!(", which runs on {plat}")
                } else {
                    String::new()
                }
            ),
        ])
    } else if mention_platform {
        format!("We run {} on {plat} in {}.", c.svc_intro, c.region)
    } else {
        String::new()
    };
    if mention_platform && plat != "the platform" {
        push(c.platform, &mut techs);
    }
    if method == "automated-alert" {
        push(c.obs, &mut techs);
        if pager {
            push("pagerduty", &mut techs);
        }
    }
    techs.truncate(6);
    let mut unlisted_note = String::new();
    if c.chance(0.012) {
        let &(t, note) = names::UNLISTED_TECH.choose(&mut c.rng).expect("unlisted");
        techs.truncate(5);
        techs.push(t.to_string());
        unlisted_note = note.to_string();
    }
    if c.chance(0.07) {
        let candidates: Vec<(usize, &str)> = techs
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                names::ALIASES
                    .iter()
                    .find(|(id, _)| id == t)
                    .map(|(_, a)| (i, *a))
            })
            .collect();
        if let Some(&(i, alias)) = candidates.choose(&mut c.rng) {
            techs[i] = alias.to_string();
        }
    }

    // --- impact
    let users = match c.sev {
        "sev1" => *["most", "all", "most"].choose(&mut c.rng).expect("u"),
        "sev2" => *["some", "most", "some"].choose(&mut c.rng).expect("u"),
        "sev3" => *["few", "some", "some"].choose(&mut c.rng).expect("u"),
        "sev4" => *["few", "few", "none"].choose(&mut c.rng).expect("u"),
        _ => *["none", "none", "none", "few"]
            .choose(&mut c.rng)
            .expect("u"),
    };
    let impact_text = if c.nm || sc.plain_impact {
        format!("{}.", sc.effect)
    } else {
        let ttm = c.ttm;
        let pct = c.pct;
        c.ps(vec![
            format!("{}. This lasted about {} and at the worst point roughly {pct}% of requests were affected.", sc.effect, dur(ttm)),
            format!("{}. It took {} to mitigate; about {pct}% of traffic was affected at the peak.", sc.effect, dur(ttm)),
            format!("{}. The visible impact lasted about {} and peaked at around {pct}% of requests.", sc.effect, dur(ttm)),
        ])
    };
    let mut cats: Vec<&str> = if c.nm {
        if c.chance(0.5) {
            vec!["non-production"]
        } else {
            vec![]
        }
    } else {
        let mut v: Vec<&str> = sc.cats.clone();
        if matches!(c.sev, "sev3" | "sev4") {
            v.retain(|x| *x != "full-outage");
        }
        if c.sev == "sev1" && v.contains(&"full-outage") {
            v.retain(|x| *x != "partial-outage");
        } else {
            v.retain(|x| *x != "full-outage" || c.sev == "sev1" || c.sev == "sev2");
        }
        if v.is_empty() {
            v.push("degraded-performance");
        }
        let k = c.rng.gen_range(1..=v.len().min(3));
        v.truncate(k);
        v
    };
    if sc.data_loss && !cats.contains(&"data-loss") {
        cats.push("data-loss");
    }

    // --- identifying extras
    let mut extra_events: Vec<String> = Vec::new();
    let mut contact = String::new();
    if c.ident {
        if c.chance(0.3) {
            let id = c.hex(8);
            extra_events.push(format!(
                "Dashboard shared in the channel: https://grafana.{}/d/{id}/{}-overview",
                c.domain,
                c.svc.replace(' ', "-")
            ));
        }
        if !c.nm && c.chance(0.2) {
            let ip = c.ip();
            extra_events.push(format!("First errors traced to host {ip}"));
        }
        if c.chance(0.15) {
            let who = c.oncall.clone();
            let mut parts = who.split(' ');
            let email = format!(
                "{}.{}@{}",
                parts.next().unwrap_or("oncall").to_lowercase(),
                parts
                    .next()
                    .unwrap_or("eng")
                    .to_lowercase()
                    .replace('\'', ""),
                c.domain
            );
            contact = format!("Questions about this write-up can go to {who} ({email}).");
        }
    }

    // --- narrative
    let h = *HEADINGS.choose(&mut c.rng).expect("headings");
    let impact_section = c.chance(0.6);
    let mut what = String::new();
    if !opening.is_empty() {
        what.push_str(&opening);
        what.push(' ');
    }
    what.push_str(sc.happened.trim());
    if !c.nm {
        // A near-miss story already says how it was found.
        what.push_str("\n\n");
        what.push_str(&detect_text);
    }
    if !unlisted_note.is_empty() {
        what.push(' ');
        what.push_str(&unlisted_note);
    }
    if !impact_section {
        what.push(' ');
        what.push_str(&impact_text);
    }
    let mut parts: Vec<String> = vec![format!("## {}\n\n{}", h[0], what)];
    if impact_section {
        parts.push(format!("## Impact\n\n{impact_text}"));
    }
    parts.push(format!("## {}\n\n{}", h[1], sc.why.trim()));
    parts.push(format!("## {}\n\n{}", h[2], sc.fix.trim()));
    let words = |parts: &Vec<String>| {
        parts
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum::<usize>()
    };
    if c.nm && (c.chance(0.5) || words(&parts) < 170) {
        let s = c.p(NEAR_MISS_NOTES);
        parts.push(format!("## Why this was a near miss\n\n{s}"));
    }
    if !c.nm && (c.chance(0.3) || words(&parts) < 170) {
        let good = subset(&mut c.rng, WENT_WELL, 1, 2);
        let bad = subset(&mut c.rng, WENT_BADLY, 1, 2);
        let mut s = String::from("## What went well, what did not\n\n");
        for g in good {
            s.push_str(&format!("- Went well: {g}\n"));
        }
        for b in bad {
            s.push_str(&format!("- Went badly: {b}\n"));
        }
        parts.push(s.trim_end().to_string());
    }
    if !sc.actions.is_empty() && (c.chance(0.35) || words(&parts) < 150) {
        let mut s = String::from("## Follow-up\n\n");
        for a in sc.actions.iter().take(4) {
            s.push_str(&format!("- {a}\n"));
        }
        parts.push(s.trim_end().to_string());
    }
    if words(&parts) < 160 && !sc.lessons.is_empty() {
        let mut s = String::from("## What we learned\n\n");
        for l in &sc.lessons {
            s.push_str(&format!("- {l}\n"));
        }
        parts.push(s.trim_end().to_string());
    }
    if words(&parts) < 160 {
        parts.push(format!("## Notes\n\n{}", NEAR_MISS_NOTES[0]));
    }
    while words(&parts) > 600 && parts.len() > 3 {
        parts.pop();
    }
    if !contact.is_empty() {
        parts.push(contact);
    }
    let narrative = parts.join("\n\n");

    // --- timeline
    let mut timeline: Vec<TimelineEntry> = Vec::new();
    let ev = |at: u32, e: String, tl: &mut Vec<TimelineEntry>| {
        tl.push(TimelineEntry {
            at: clock.at(at),
            event: e,
        })
    };
    ev(0, sc.start_event.clone(), &mut timeline);
    ev(c.ttd, detect_event, &mut timeline);
    let mut middle: Vec<String> = subset(&mut c.rng, &sc.events, 1, 3);
    for e in extra_events {
        let pos = c.rng.gen_range(0..=middle.len());
        middle.insert(pos, e);
    }
    let k = middle.len() as u32;
    for (i, e) in middle.into_iter().enumerate() {
        let at = c.ttd + (c.ttm - c.ttd) * (i as u32 + 1) / (k + 1);
        ev(at, e, &mut timeline);
    }
    ev(c.ttm, sc.mitigate_event.clone(), &mut timeline);
    if !c.nm && c.ttr > c.ttm + 20 && c.chance(0.5) {
        let at = c.ttm + (c.ttr - c.ttm) / 3;
        let e = c.p(&[
            "Error rate back to baseline; incident kept open while we watch",
            "Metrics stable; downgraded the incident",
            "Customer-facing impact over; status page set to monitoring",
        ]);
        ev(at, e.to_string(), &mut timeline);
    }
    ev(c.ttr, sc.resolve_event.clone(), &mut timeline);
    if c.chance(0.25) {
        let at = c.ttr + c.n(1, 6) * 1440;
        ev(
            at,
            "Postmortem review held with the owning teams".to_string(),
            &mut timeline,
        );
    }
    timeline.truncate(10);

    // --- lists
    let root_causes: Vec<String> = subset(&mut c.rng, &sc.root_causes, 1, 3);
    let five_whys: Vec<String> = if c.chance(0.6) && sc.whys.len() >= 3 {
        let k = c.rng.gen_range(3..=sc.whys.len().min(5));
        sc.whys.iter().take(k).cloned().collect()
    } else {
        Vec::new()
    };
    let lessons: Vec<String> = subset(&mut c.rng, &sc.lessons, 1, 4);
    let action_items: Vec<ActionItem> = subset(&mut c.rng, &sc.actions, 1, 5)
        .into_iter()
        .map(|a| ActionItem {
            description: a.clone(),
            status: if c.chance(0.06) {
                None
            } else {
                Some(
                    pick_weighted(
                        &mut c.rng,
                        &[
                            ("done", 40),
                            ("in-progress", 25),
                            ("open", 30),
                            ("wont-do", 5),
                        ],
                    )
                    .to_string(),
                )
            },
        })
        .collect();
    let contributing_factors: Vec<String> = subset(&mut c.rng, &sc.factors, 1, 4)
        .into_iter()
        .map(String::from)
        .collect();
    let human_factors: Vec<String> = if c.chance(0.3) {
        Vec::new()
    } else {
        subset(&mut c.rng, &sc.humans, 1, 3)
            .into_iter()
            .map(String::from)
            .collect()
    };
    let mitigations: Vec<String> = sc.mitigations.iter().map(|m| m.to_string()).collect();

    let incident = Incident {
        started_at: if c.chance(0.03) {
            None
        } else {
            Some(clock.at(0))
        },
        severity: if c.chance(0.03) {
            None
        } else {
            Some(c.sev.to_string())
        },
        detection: if c.chance(0.06) {
            None
        } else {
            Some(method.to_string())
        },
        time_to_detect_minutes: if c.chance(0.15) { None } else { Some(c.ttd) },
        time_to_mitigate_minutes: if c.chance(0.05) { None } else { Some(c.ttm) },
        time_to_resolve_minutes: if c.chance(0.08) { None } else { Some(c.ttr) },
        impact: if c.chance(0.05) {
            None
        } else {
            Some(Impact {
                users_affected: Some(users.to_string()),
                data_loss: Some(sc.data_loss),
                description: Some(impact_text.clone()),
                categories: cats.iter().map(|s| s.to_string()).collect(),
            })
        },
    };

    // Many summaries end with the size of the impact, as real ones do.
    let mut summary = sc.summary.clone();
    if !c.nm && !sc.plain_impact && summary.matches(". ").count() < 2 && c.chance(0.55) {
        let (pct, ttm) = (c.pct, dur(c.ttm));
        let tail = c.ps(vec![
            format!("About {pct}% of requests were affected for {ttm}."),
            format!("Impact lasted {ttm}."),
            format!(
                "Mitigated after {ttm}; fully resolved after {}.",
                dur(c.ttr)
            ),
            format!("At the peak {pct}% of traffic was affected."),
        ]);
        summary = format!("{} {tail}", summary.trim_end());
    }
    let mut sub = Submission {
        title: sc.title.clone(),
        summary,
        narrative,
        industry: if c.chance(0.05) {
            None
        } else {
            Some(industry.to_string())
        },
        organization_size: if c.chance(0.1) {
            None
        } else {
            Some(size.to_string())
        },
        incident: Some(incident),
        technologies: techs,
        trigger: Some(sc.trigger.to_string()),
        contributing_factors,
        mitigations,
        timeline,
        root_causes,
        five_whys,
        lessons_learned: lessons,
        action_items,
        human_factors,
        declared_terms: DeclaredTerms::default(),
    };

    // --- declared terms: only what the text really contains, as written.
    if c.ident {
        let text = all_text(&sub);
        let people = vec![c.oncall.clone(), c.eng2.clone()];
        sub.declared_terms = DeclaredTerms {
            organization: [c.org.clone()]
                .into_iter()
                .filter(|t| text.contains(t.as_str()))
                .collect(),
            products: [c.svc.clone(), c.svc2.clone()]
                .into_iter()
                .filter(|t| text.contains(t.as_str()))
                .collect(),
            people: people
                .into_iter()
                .filter(|t| text.contains(t.as_str()))
                .collect(),
            locations: Vec::new(),
            other: Vec::new(),
        };
    }
    sub
}

/// Every free text of a submission, joined.
fn all_text(s: &Submission) -> String {
    let mut out = vec![s.title.clone(), s.summary.clone(), s.narrative.clone()];
    if let Some(d) = s
        .incident
        .as_ref()
        .and_then(|i| i.impact.as_ref())
        .and_then(|i| i.description.clone())
    {
        out.push(d);
    }
    out.extend(s.timeline.iter().map(|t| t.event.clone()));
    out.extend(s.root_causes.iter().cloned());
    out.extend(s.five_whys.iter().cloned());
    out.extend(s.lessons_learned.iter().cloned());
    out.extend(s.action_items.iter().map(|a| a.description.clone()));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIGGERS: &[&str] = &[
        "config-change",
        "deploy",
        "certificate-expiry",
        "capacity-exhaustion",
        "traffic-spike",
        "dependency-failure",
        "hardware-failure",
        "network-partition",
        "dns-change",
        "software-bug",
        "database-migration",
        "data-corruption",
        "expired-credentials",
        "security-incident",
        "clock-skew",
        "leap-second",
        "cloud-provider-outage",
        "failover",
        "scheduled-maintenance",
        "disk-full",
        "memory-leak",
        "quota-exhausted",
        "cache-invalidation",
        "dependency-upgrade",
        "feature-flag",
        "runaway-automation",
        "manual-command",
        "backup-failure",
        "load-balancer-change",
        "bgp-route-leak",
        "thundering-herd",
        "retry-storm",
        "replication-lag",
        "split-brain",
        "unknown",
    ];

    #[test]
    fn deterministic_for_same_seed() {
        let a = serde_json::to_string(&generate(120, 7)).unwrap();
        let b = serde_json::to_string(&generate(120, 7)).unwrap();
        assert_eq!(a, b);
        let c = serde_json::to_string(&generate(120, 8)).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn every_trigger_covered() {
        let subs = generate(500, 42);
        for t in TRIGGERS {
            assert!(
                subs.iter().any(|s| s.trigger.as_deref() == Some(*t)),
                "trigger {t} never generated"
            );
        }
        for s in &subs {
            let t = s.trigger.as_deref().unwrap();
            assert!(TRIGGERS.contains(&t), "unknown trigger {t}");
        }
    }

    #[test]
    fn declared_terms_appear_in_text() {
        let subs = generate(500, 3);
        let mut with_terms = 0;
        for s in &subs {
            let text = all_text(s);
            let d = &s.declared_terms;
            if !d.is_empty() {
                with_terms += 1;
            }
            for t in d.organization.iter().chain(&d.products).chain(&d.people) {
                assert!(
                    text.contains(t.as_str()),
                    "{t:?} not in report {:?}",
                    s.title
                );
            }
        }
        assert!(with_terms > 250, "only {with_terms} reports declare terms");
    }

    #[test]
    fn durations_ordered_and_lengths_bounded() {
        for s in generate(500, 11) {
            let i = s.incident.as_ref().unwrap();
            let (d, m, r) = (
                i.time_to_detect_minutes,
                i.time_to_mitigate_minutes,
                i.time_to_resolve_minutes,
            );
            if let (Some(d), Some(m)) = (d, m) {
                assert!(d <= m);
            }
            if let (Some(m), Some(r)) = (m, r) {
                assert!(m <= r);
            }
            assert!(s.title.chars().count() <= 200);
            assert!(s.summary.chars().count() <= 2000);
            assert!(s.narrative.len() <= 20 * 1024);
            assert!((3..=10).contains(&s.timeline.len()));
            assert!(
                (2..=6).contains(&s.technologies.len()),
                "{:?}",
                s.technologies
            );
        }
    }
}
