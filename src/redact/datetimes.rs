//! Absolute dates and clock times written inside text. A time becomes an
//! offset from the incident start — or, when the submission gives no start,
//! from the first time the report mentions; a date without a time becomes
//! its month. Time-zone names are dropped: they say where a company is.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
use regex::{Captures, Regex};

use super::detect::stretches::{
    captures_in, find_in, Stretch, Stretches, COLON, DASH, DIGIT, LOWER, NON_ASCII, SLASH, UPPER,
};
use super::detect::{is_word_byte, Span};
use super::FindingKind;
use crate::report::moment::format_offset;

pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A month or weekday name, any case: capitalised in prose, never a name.
pub fn is_calendar_word(word: &str) -> bool {
    MONTHS
        .iter()
        .chain(WEEKDAYS.iter())
        .any(|m| m.eq_ignore_ascii_case(word))
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    let lower = lower.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| {
            *m == lower
                || (lower.len() >= 3
                    && m.starts_with(lower)
                    && (lower.len() == 3 || lower == "sept"))
        })
        .map(|i| i as u32 + 1)
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][(m.clamp(1, 12) - 1) as usize]
}

/// Minutes east of UTC for a zone written in a postmortem. US zones written
/// without daylight saving (`ET`) are taken as standard time.
fn zone_minutes(zone: &str) -> Option<i32> {
    let z = zone.trim();
    if let Some(rest) = z.strip_prefix(['+', '-']) {
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits[2..].parse().ok()?;
        let sign = if z.starts_with('-') { -1 } else { 1 };
        return Some(sign * (h * 60 + m));
    }
    // Zone names are short: uppercased on the stack.
    let mut upper = [0u8; 4];
    let name = upper.get_mut(..z.len())?;
    name.copy_from_slice(z.as_bytes());
    name.make_ascii_uppercase();
    Some(match &*name {
        b"Z" | b"UTC" | b"GMT" | b"WET" => 0,
        b"CET" | b"BST" | b"WEST" => 60,
        b"CEST" | b"EET" | b"SAST" => 120,
        b"EEST" | b"MSK" => 180,
        b"IST" => 330,
        b"SGT" | b"HKT" | b"AWST" => 480,
        b"JST" | b"KST" => 540,
        b"AEST" => 600,
        b"AEDT" => 660,
        b"NZST" => 720,
        b"NZDT" => 780,
        b"HST" => -600,
        b"AKST" => -540,
        b"PST" | b"PT" | b"AKDT" => -480,
        b"PDT" | b"MST" | b"MT" => -420,
        b"MDT" | b"CST" | b"CT" => -360,
        b"CDT" | b"EST" | b"ET" => -300,
        b"EDT" | b"AST" => -240,
        _ => return None,
    })
}

const ZONE: &str = r"(?:Z|UTC|GMT|WET|WEST|CET|CEST|BST|EET|EEST|MSK|IST|SGT|HKT|AWST|JST|KST|AEST|AEDT|NZST|NZDT|HST|AKST|AKDT|PST|PDT|PT|MST|MDT|MT|CST|CDT|CT|EST|EDT|ET|AST|SAST|[+-][0-9]{2}:?[0-9]{2})";
const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
const WEEKDAY: &str = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,?\s+)?";
const CLOCK: &str = r"(?P<h>[0-2]?[0-9]):(?P<mi>[0-5][0-9])(?::[0-5][0-9](?:[.,][0-9]+)?)?(?:\s?(?P<ap>[AaPp]\.?[Mm](?:\.|(?-u:\b))))?";

/// What times are measured from. Never published.
#[derive(Debug, Clone, Copy)]
pub enum Reference {
    /// The incident start as submitted (or the first full time mentioned).
    Start(DateTime<FixedOffset>),
    /// Only a wall-clock time: the first time the report mentions.
    Clock(NaiveTime),
}

impl Reference {
    pub fn start(started_at: &str) -> Option<Reference> {
        DateTime::parse_from_rfc3339(started_at.trim())
            .ok()
            .map(Reference::Start)
    }

    /// Minutes from the reference to `local` (in `zone`, or in the
    /// reference's own zone when none was written).
    fn offset_of(
        &self,
        date: Option<NaiveDate>,
        time: NaiveTime,
        zone: Option<i32>,
    ) -> Option<i64> {
        match *self {
            Reference::Start(start) => {
                let zone_offset = zone
                    .and_then(|z| FixedOffset::east_opt(z * 60))
                    .unwrap_or(*start.offset());
                let start_there = start.with_timezone(&zone_offset);
                let local = match date {
                    Some(d) => d.and_time(time),
                    None => {
                        // A bare time falls on the start's day, or the next
                        // when it is well before the start.
                        let mut l = start_there.date_naive().and_time(time);
                        if l + Duration::hours(6) < start_there.naive_local() {
                            l += Duration::days(1);
                        }
                        l
                    }
                };
                let instant = zone_offset.from_local_datetime(&local).single()?;
                Some((instant - start).num_minutes())
            }
            Reference::Clock(first) => {
                let mut minutes = (time - first).num_minutes();
                if minutes < -6 * 60 {
                    minutes += 24 * 60;
                }
                Some(minutes)
            }
        }
    }
}

/// The time of `hour`, `minute` and an `a.m.` / `p.m.` as written.
fn clock_time(hour: &str, minute: &str, meridiem: Option<&str>) -> Option<NaiveTime> {
    let h: u32 = hour.parse().ok()?;
    let h = match meridiem
        .and_then(|p| p.bytes().next())
        .map(|b| b.to_ascii_lowercase())
    {
        Some(b'p') if h < 12 => h + 12,
        Some(b'a') if h == 12 => 0,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, minute.parse().ok()?, 0)
}

fn time_of(c: &Captures) -> Option<NaiveTime> {
    clock_time(
        c.name("h")?.as_str(),
        c.name("mi")?.as_str(),
        c.name("ap").map(|m| m.as_str()),
    )
}

/// The time and the zone of a bare clock time, read back from the text the
/// `BARE` pattern matched (a clock, then maybe seconds and their fraction,
/// `a.m.` / `p.m.` and a zone, as that pattern allows them). Resolving the
/// pattern's groups instead would run a second, slower engine over every
/// clock time of a report.
fn bare_clock_parts(matched: &str) -> (Option<NaiveTime>, Option<&str>) {
    let Some((hour, rest)) = matched.split_once(':') else {
        return (None, None);
    };
    let (minute, mut rest) = rest.split_at(2.min(rest.len()));
    if let Some(after) = rest.strip_prefix(':') {
        rest = after.get(2..).unwrap_or("");
        if let Some(after) = rest.strip_prefix(['.', ',']) {
            rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    let skip_space = |r: &str| -> usize {
        r.chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8)
    };
    // `[AaPp]\.?[Mm]\.?` after at most one space.
    let mut meridiem = None;
    let after_space = &rest[skip_space(rest)..];
    let b = after_space.as_bytes();
    if b.first()
        .is_some_and(|c| matches!(c, b'A' | b'a' | b'P' | b'p'))
    {
        let m_at = if b.get(1) == Some(&b'.') { 2 } else { 1 };
        if b.get(m_at).is_some_and(|c| matches!(c, b'M' | b'm')) {
            let end = if b.get(m_at + 1) == Some(&b'.') {
                m_at + 2
            } else {
                m_at + 1
            };
            meridiem = Some(&after_space[..end]);
            rest = &after_space[end..];
        }
    }
    let zone = rest[skip_space(rest)..]
        .trim_start_matches('(')
        .trim_end_matches(')');
    (
        clock_time(hour, minute, meridiem),
        (!zone.is_empty()).then_some(zone),
    )
}

/// The date, time and zone of an ISO date, read back from the text the
/// `ISO` pattern matched: `yyyy-mm-dd` (or with slashes), then maybe `T`
/// or a space and a clock time as a bare one is written.
fn iso_parts(matched: &str) -> Option<(NaiveDate, Option<NaiveTime>, Option<&str>)> {
    let date = NaiveDate::from_ymd_opt(
        matched.get(..4)?.parse().ok()?,
        matched.get(5..7)?.parse().ok()?,
        matched.get(8..10)?.parse().ok()?,
    )?;
    let (time, zone) = match matched.get(11..) {
        Some(clock) if !clock.is_empty() => bare_clock_parts(clock),
        _ => (None, None),
    };
    Some((date, time, zone))
}

/// A month's name or its abbreviation, in any case, somewhere in stretch
/// `s`: the cheap test that a written date or a log timestamp could be
/// there. Kept out of line, so the gates that call it stay small enough
/// to inline.
fn names_a_month(bytes: &[u8], s: &Stretch) -> bool {
    s.has_any(LOWER | UPPER) && spells_a_month(&bytes[s.start as usize..s.end as usize])
}

#[inline(never)]
fn spells_a_month(stretch: &[u8]) -> bool {
    stretch.windows(3).any(|w| {
        matches!(
            [w[0] | 0x20, w[1] | 0x20, w[2] | 0x20],
            [b'j', b'a', b'n']
                | [b'f', b'e', b'b']
                | [b'm', b'a', b'r']
                | [b'a', b'p', b'r']
                | [b'm', b'a', b'y']
                | [b'j', b'u', b'n']
                | [b'j', b'u', b'l']
                | [b'a', b'u', b'g']
                | [b's', b'e', b'p']
                | [b'o', b'c', b't']
                | [b'n', b'o', b'v']
                | [b'd', b'e', b'c']
        )
    })
}

/// A moment found in text: its span, date, time, zone (minutes east of
/// UTC) and whether the date was written out (`14 March 2024`).
type Found = (
    usize,
    usize,
    Option<NaiveDate>,
    Option<NaiveTime>,
    Option<i32>,
    bool,
);

/// The patterns for moments written in text.
struct Patterns {
    iso: Regex,
    written: Regex,
    log: Regex,
    bare: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |p: &str| Regex::new(p).expect("date pattern compiles");
        Patterns {
            iso: compile(&format!(
                r"(?-u:\b)(?P<y>(?:19|20)[0-9]{{2}})[-/](?P<mo>[01][0-9])[-/](?P<d>[0-3][0-9])(?:[T ]{CLOCK}(?:\s?(?P<z>{ZONE}))?)?(?-u:\b)"
            )),
            written: compile(&format!(
                r"(?i)(?-u:\b){WEEKDAY}(?:(?P<d1>[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?P<m1>{MONTH})|(?P<m2>{MONTH})\s+(?P<d2>[0-3]?[0-9])(?:st|nd|rd|th)?),?\s+(?P<y>(?:19|20)[0-9]{{2}})(?:,?\s+(?:at\s+)?{CLOCK}(?:\s*\(?(?P<z>{ZONE})\)?)?)?(?-u:\b)"
            )),
            // Log timestamps: `Oct  3 14:22:07` (syslog) and
            // `14/Aug/2024:21:03:17.402` (access logs).
            log: compile(&format!(
                r"(?-u:\b)(?:(?P<m1>{MONTH})\s{{1,2}}(?P<d1>[0-3]?[0-9])\s+|(?P<d2>[0-3][0-9])/(?P<m2>{MONTH})/(?P<y>(?:19|20)[0-9]{{2}}):){CLOCK}(?:\s?(?P<z>{ZONE}))?(?-u:\b)"
            )),
            // Bare clock times, with or without a zone.
            bare: compile(&format!(
                r"(?-u:\b){CLOCK}(?:\s?\(?(?P<z>{ZONE})(?-u:\b)\)?)?"
            )),
        }
    })
}

/// Where ISO dates can be: a date of ten bytes or more with its
/// separators, in one stretch; its time, `p.m.` and zone in the next three.
fn iso_ranges(stretches: &Stretches) -> impl Iterator<Item = (usize, usize)> + '_ {
    let iso_date = |s: &Stretch| s.byte_len() >= 10 && s.has(DIGIT) && s.has_any(DASH | SLASH);
    stretches.ranges_around(iso_date, 0, 3)
}

/// Where written dates can be. Every one ends in a year that starts a
/// stretch (or follows a non-ASCII space inside one), at most three
/// stretches after its weekday and at most four before a zone; its month
/// is written before the year, in the year's stretch or one of the three
/// before.
fn written_ranges<'a>(
    bytes: &'a [u8],
    stretches: &'a Stretches,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let year = move |s: &Stretch| {
        let b = &bytes[s.start as usize..s.end as usize];
        s.has(DIGIT)
            && (s.has_any(NON_ASCII)
                || b.len() >= 4
                    && matches!(&b[..2], b"19" | b"20")
                    && b[2].is_ascii_digit()
                    && b[3].is_ascii_digit()
                    && b.get(4).is_none_or(|&c| !is_word_byte(c)))
    };
    let dated_year = move |all: &[Stretch], i: usize| year(&all[i]) && month_near(bytes, all, i, 3);
    stretches.ranges_around_where(dated_year, 3, 4)
}

/// A month is named in stretch `i` or one of the `back` before it.
fn month_near(bytes: &[u8], all: &[Stretch], i: usize, back: usize) -> bool {
    all[i.saturating_sub(back)..=i]
        .iter()
        .any(|s| names_a_month(bytes, s))
}

/// A stretch with a digit and a colon: where a clock time starts.
fn clock(s: &Stretch) -> bool {
    s.has(DIGIT | COLON)
}

/// Where log timestamps can be: a clock stretch at most two stretches
/// after a month and a day, and two before a `p.m.` and a zone. Both forms
/// name the month, in the clock's stretch or one of the two before.
fn log_ranges<'a>(
    bytes: &'a [u8],
    stretches: &'a Stretches,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let logged = move |all: &[Stretch], i: usize| clock(&all[i]) && month_near(bytes, all, i, 2);
    stretches.ranges_around_where(logged, 2, 2)
}

/// Where bare clock times can be: a clock stretch and the two after it,
/// for a `p.m.` and a zone.
fn bare_ranges(stretches: &Stretches) -> impl Iterator<Item = (usize, usize)> + '_ {
    stretches.ranges_around(clock, 0, 2)
}

/// Finds dates and times and decides what each becomes. Keeps the
/// reference across the fields of one report.
pub struct Coarsener {
    pub reference: Option<Reference>,
}

impl Coarsener {
    /// The replacement for a moment: an offset when a reference exists (or
    /// can be set from this moment), else the month of a date.
    fn coarsen(
        &mut self,
        date: Option<NaiveDate>,
        time: Option<NaiveTime>,
        zone: Option<i32>,
    ) -> Option<String> {
        let Some(time) = time else {
            return date.map(|d| format!("{:04}-{:02}", d.year(), d.month()));
        };
        if self.reference.is_none() {
            self.reference = match (date, zone.and_then(|z| FixedOffset::east_opt(z * 60))) {
                (Some(d), Some(z)) => z
                    .from_local_datetime(&d.and_time(time))
                    .single()
                    .map(Reference::Start),
                _ => Some(Reference::Clock(time)),
            };
        }
        let minutes = self.reference?.offset_of(date, time, zone)?;
        // Far from the incident it is not a moment of it: say the month.
        if minutes.abs() > 60 * 24 * 60 {
            return date.map(|d| format!("{:04}-{:02}", d.year(), d.month()));
        }
        Some(format_offset(minutes))
    }

    pub fn find(&mut self, text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
        let bytes = text.as_bytes();
        let p = patterns();
        let mut found: Vec<Found> = Vec::new();
        for (start, end) in find_in(text, &p.iso, iso_ranges(stretches)) {
            // `"Version": "2012-10-17"` in an IAM policy is a constant.
            let before = text[..start].trim_end_matches([' ', '"', ':']).as_bytes();
            if before.len() >= 7 && before[before.len() - 7..].eq_ignore_ascii_case(b"version") {
                continue;
            }
            let Some((date, time, zone)) = iso_parts(&text[start..end]) else {
                continue;
            };
            found.push((
                start,
                end,
                Some(date),
                time,
                zone.and_then(zone_minutes),
                false,
            ));
        }
        for (offset, c) in captures_in(text, &p.written, written_ranges(bytes, stretches)) {
            let whole = c.get(0).expect("whole match");
            let m = offset + whole.start()..offset + whole.end();
            let month = c
                .name("m1")
                .or(c.name("m2"))
                .and_then(|v| month_number(v.as_str()));
            let day = c
                .name("d1")
                .or(c.name("d2"))
                .and_then(|v| v.as_str().parse::<u32>().ok());
            let year = c.name("y").and_then(|v| v.as_str().parse::<i32>().ok());
            let (Some(month), Some(day), Some(year)) = (month, day, year) else {
                continue;
            };
            let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                continue;
            };
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            found.push((m.start, m.end, Some(date), time_of(&c), zone, true));
        }
        for (offset, c) in captures_in(text, &p.log, log_ranges(bytes, stretches)) {
            let whole = c.get(0).expect("whole match");
            let m = offset + whole.start()..offset + whole.end();
            let month = c
                .name("m1")
                .or(c.name("m2"))
                .and_then(|v| month_number(v.as_str()));
            let day = c
                .name("d1")
                .or(c.name("d2"))
                .and_then(|v| v.as_str().parse::<u32>().ok());
            let year =
                c.name("y")
                    .and_then(|v| v.as_str().parse::<i32>().ok())
                    .or(match self.reference {
                        Some(Reference::Start(s)) => Some(s.year()),
                        _ => None,
                    });
            let date = match (year, month, day) {
                (Some(y), Some(mo), Some(d)) => NaiveDate::from_ymd_opt(y, mo, d),
                _ => None,
            };
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            found.push((m.start, m.end, date, time_of(&c), zone, false));
        }
        for m in find_in(text, &p.bare, bare_ranges(stretches)) {
            let m = m.0..m.1;
            // Part of an address, a longer timestamp or a ratio.
            // `psql` prints intervals as `00:02:03.90`: a duration, not a time.
            let centiseconds = text[m.clone()]
                .rsplit_once('.')
                .is_some_and(|(_, f)| f.len() == 2);
            if m.start > 0 && matches!(bytes[m.start - 1], b':' | b'.' | b'/' | b'-' | b'T')
                || bytes.get(m.end) == Some(&b':')
                    && bytes.get(m.end + 1).is_some_and(u8::is_ascii_digit)
                || centiseconds
            {
                continue;
            }
            let (time, zone) = bare_clock_parts(&text[m.clone()]);
            found.push((
                m.start,
                m.end,
                None,
                time,
                zone.and_then(zone_minutes),
                false,
            ));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut cursor = 0;
        for (start, end, date, time, zone, written_style) in found {
            if start < cursor || time.is_none() && date.is_none() {
                continue;
            }
            cursor = end;
            let replacement = match (self.coarsen(date, time, zone), date) {
                (Some(r), Some(d)) if written_style && time.is_none() => {
                    let _ = r;
                    format!("{} {}", month_name(d.month()), d.year())
                }
                (Some(r), _) => r,
                (None, _) => match time {
                    Some(t) => format!("{:02}:{:02}", t.hour(), t.minute()),
                    None => continue,
                },
            };
            let mut s = Span::new(start, end, FindingKind::Datetime, String::new());
            s.replacement = Some(replacement);
            out.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replaced(text: &str, start: Option<&str>) -> Vec<(String, String)> {
        let mut c = Coarsener {
            reference: start.and_then(Reference::start),
        };
        let mut out = Vec::new();
        c.find(text, &Stretches::new(text), &mut out);
        out.iter()
            .map(|s| {
                (
                    text[s.start..s.end].to_string(),
                    s.replacement.clone().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn bare_clock_parts_agree_with_the_pattern_groups() {
        let bare = &patterns().bare;
        let text = "at 9:05, 10:30 PM UTC, 10:30pm (PST), 12:00 a.m. CET, 12:15 p.m., \
                    23:59:59.123 +0200, 07:45:10 Z, 11:11 PT, 10:30 AMT, 14:02\u{a0}GMT, \
                    10:30 P.M.(EST), 29:99, 8:15 Pm, 6:00 am+05:30";
        let mut seen = 0;
        for c in bare.captures_iter(text) {
            let (time, zone) = bare_clock_parts(c.get(0).unwrap().as_str());
            assert_eq!(time, time_of(&c), "{}", &c[0]);
            assert_eq!(zone, c.name("z").map(|z| z.as_str()), "{}", &c[0]);
            seen += 1;
        }
        assert_eq!(seen, 13);
    }

    /// `a.m.` / `p.m.` ends a word: in `02:14 aMAAAAAnd` the `aM` begins one.
    #[test]
    fn a_meridiem_is_a_word_of_its_own() {
        let start = Some("2023-03-14T02:00:00Z");
        assert_eq!(
            replaced("at 02:14 aMAAAAAnd then", start),
            [("02:14".to_string(), "T+14m".to_string())]
        );
        assert_eq!(
            replaced("at 02:14 PM, then 3:00 a.m.", start),
            [
                ("02:14 PM".to_string(), "T+12h14m".to_string()),
                ("3:00 a.m.".to_string(), "T+1h".to_string())
            ]
        );
    }

    #[test]
    fn gated_searches_find_what_whole_text_searches_find() {
        let mut seen = [0; 4];
        for text in crate::redact::detect::sample_texts(&[
            "Thursday, 14 March 2024 at 09:30 (CET); march 3rd,\u{a0}2023; 3\u{a0}Mar\u{a0}2024 10:00",
            "Oct  3 14:22:07 host; [14/Aug/2024:21:03:17.402 +0000]; Mar\u{a0}14\u{a0}02:20:07 x",
            "2024-03-14 02:14 UTC, 2024/03/14T02:40:00Z, at 7:05 p.m. (EST) and 23:59:59.123 +0200",
            "Sept 30, 2019 and Dec. 1st 2020, Tuesday 2 June 2020 11:11 PT; 2019-2020; 12:00 noon",
        ]) {
            let s = Stretches::new(&text);
            let b = text.as_bytes();
            let p = patterns();
            let searches: [(&Regex, Vec<(usize, usize)>); 4] = [
                (&p.iso, iso_ranges(&s).collect()),
                (&p.written, written_ranges(b, &s).collect()),
                (&p.log, log_ranges(b, &s).collect()),
                (&p.bare, bare_ranges(&s).collect()),
            ];
            for (k, (re, ranges)) in searches.into_iter().enumerate() {
                let whole: Vec<(usize, usize)> =
                    re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
                let gated: Vec<(usize, usize)> = find_in(&text, re, ranges.into_iter()).collect();
                assert_eq!(gated, whole, "pattern {k} in {text}");
                seen[k] += whole.len();
            }
        }
        assert!(
            seen.iter().all(|&n| n >= 4),
            "matches per pattern: {seen:?}"
        );
    }

    #[test]
    fn iso_parts_agree_with_the_pattern_groups() {
        let iso = &patterns().iso;
        let text = "2024-03-14, 2024/03/14 02:14 UTC, 2024-03-15T03:00:00+01:00, \
                    2024-03-14T02:14:00.123Z, 2024-03-14 10:30 AMT, 2024-03-14 7:05 p.m. CET, \
                    2024-03-14 10:30 PM\u{a0}+0530, 2023-02-30, 1999-12-31T23:59:59,5 JST, \
                    2024-03-14 10:30am";
        let mut seen = 0;
        for c in iso.captures_iter(text) {
            let matched = c.get(0).unwrap().as_str();
            let date = NaiveDate::from_ymd_opt(
                c["y"].parse().unwrap(),
                c["mo"].parse().unwrap(),
                c["d"].parse().unwrap(),
            );
            let expected = date.map(|d| (d, time_of(&c), c.name("z").map(|z| z.as_str())));
            assert_eq!(iso_parts(matched), expected, "{matched}");
            seen += 1;
        }
        assert_eq!(seen, 10);
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn dates_become_months_and_times_become_offsets() {
        let start = Some("2024-03-14T02:00:00+00:00");
        assert_eq!(
            replaced(
                "at 2024-03-14 02:14 UTC and 2024-03-15T03:00:00+01:00, deployed 2024-01-02",
                start
            ),
            pairs(&[
                ("2024-03-14 02:14 UTC", "T+14m"),
                ("2024-03-15T03:00:00+01:00", "T+1d"),
                ("2024-01-02", "2024-01")
            ])
        );
        assert_eq!(
            replaced(
                "On Thursday, 14 March 2024 at 09:30 CET we saw it; March 3rd, 2023 too",
                start
            ),
            pairs(&[
                ("Thursday, 14 March 2024 at 09:30 CET", "T+6h30m"),
                ("March 3rd, 2023", "March 2023")
            ])
        );
        assert_eq!(
            replaced("by 7:05 pm UTC", start),
            pairs(&[("7:05 pm UTC", "T+17h5m")])
        );
        assert_eq!(
            replaced(
                "Mar 14 02:20:07 host and [14/Mar/2024:02:30:00.402] and 2024/03/14 02:40:00",
                start
            ),
            pairs(&[
                ("Mar 14 02:20:07", "T+20m"),
                ("14/Mar/2024:02:30:00.402", "T+30m"),
                ("2024/03/14 02:40:00", "T+40m")
            ])
        );
        assert_eq!(
            replaced("\"Version\": \"2012-10-17\", port 5432, v1.2, ::1", start),
            pairs(&[])
        );
    }

    #[test]
    fn without_a_start_the_first_time_mentioned_is_the_reference() {
        assert_eq!(
            replaced("- 23:50 alerts\n- 00:10 failover\n- 11:02 AM ET done", None),
            pairs(&[
                ("23:50", "T+0"),
                ("00:10", "T+20m"),
                ("11:02 AM ET", "T+11h12m")
            ])
        );
    }
}
