//! Absolute dates and clock times written inside text. A time becomes an
//! offset from the incident start — or, when the submission gives no start,
//! from the first time the report mentions; a date without a time becomes
//! its month. Time-zone names are dropped: they say where a company is.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
use regex::{Captures, Regex};

use super::detect::stretches::{
    captures_in, find_in, Stretch, Stretches, COLON, DASH, DIGIT, NON_ASCII, SLASH,
};
use super::detect::{is_word_byte, regex, Span};
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
    Some(match z.to_ascii_uppercase().as_str() {
        "Z" | "UTC" | "GMT" | "WET" => 0,
        "CET" | "BST" | "WEST" => 60,
        "CEST" | "EET" | "SAST" => 120,
        "EEST" | "MSK" => 180,
        "IST" => 330,
        "SGT" | "HKT" | "AWST" => 480,
        "JST" | "KST" => 540,
        "AEST" => 600,
        "AEDT" => 660,
        "NZST" => 720,
        "NZDT" => 780,
        "HST" => -600,
        "AKST" => -540,
        "PST" | "PT" | "AKDT" => -480,
        "PDT" | "MST" | "MT" => -420,
        "MDT" | "CST" | "CT" => -360,
        "CDT" | "EST" | "ET" => -300,
        "EDT" | "AST" => -240,
        _ => return None,
    })
}

const ZONE: &str = r"(?:Z|UTC|GMT|WET|WEST|CET|CEST|BST|EET|EEST|MSK|IST|SGT|HKT|AWST|JST|KST|AEST|AEDT|NZST|NZDT|HST|AKST|AKDT|PST|PDT|PT|MST|MDT|MT|CST|CDT|CT|EST|EDT|ET|AST|SAST|[+-][0-9]{2}:?[0-9]{2})";
const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
const WEEKDAY: &str = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,?\s+)?";
const CLOCK: &str = r"(?P<h>[0-2]?[0-9]):(?P<mi>[0-5][0-9])(?::[0-5][0-9](?:[.,][0-9]+)?)?(?:\s?(?P<ap>[AaPp]\.?[Mm]\.?))?";

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
        static ISO: OnceLock<Regex> = OnceLock::new();
        static WRITTEN: OnceLock<Regex> = OnceLock::new();
        static LOG: OnceLock<Regex> = OnceLock::new();
        static BARE: OnceLock<Regex> = OnceLock::new();
        let mut found: Vec<Found> = Vec::new();
        let iso = regex(
            &ISO,
            &format!(
                r"(?-u:\b)(?P<y>(?:19|20)[0-9]{{2}})[-/](?P<mo>[01][0-9])[-/](?P<d>[0-3][0-9])(?:[T ]{CLOCK}(?:\s?(?P<z>{ZONE}))?)?(?-u:\b)"
            ),
        );
        // A date of ten bytes or more with its separators, in one stretch;
        // its time, `p.m.` and zone in the next three.
        let iso_date = |s: &Stretch| s.byte_len() >= 10 && s.has(DIGIT) && s.has_any(DASH | SLASH);
        for (offset, c) in captures_in(text, iso, stretches.ranges_around(iso_date, 0, 3)) {
            let whole = c.get(0).expect("whole match");
            let m = offset + whole.start()..offset + whole.end();
            // `"Version": "2012-10-17"` in an IAM policy is a constant.
            let before = text[..m.start].trim_end_matches([' ', '"', ':']).as_bytes();
            if before.len() >= 7 && before[before.len() - 7..].eq_ignore_ascii_case(b"version") {
                continue;
            }
            let date = (|| {
                NaiveDate::from_ymd_opt(
                    c.name("y")?.as_str().parse().ok()?,
                    c.name("mo")?.as_str().parse().ok()?,
                    c.name("d")?.as_str().parse().ok()?,
                )
            })();
            let Some(date) = date else { continue };
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            found.push((m.start, m.end, Some(date), time_of(&c), zone, false));
        }
        let written = regex(
            &WRITTEN,
            &format!(
                r"(?i)(?-u:\b){WEEKDAY}(?:(?P<d1>[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?P<m1>{MONTH})|(?P<m2>{MONTH})\s+(?P<d2>[0-3]?[0-9])(?:st|nd|rd|th)?),?\s+(?P<y>(?:19|20)[0-9]{{2}})(?:,?\s+(?:at\s+)?{CLOCK}(?:\s*\(?(?P<z>{ZONE})\)?)?)?(?-u:\b)"
            ),
        );
        // Every written date ends in a year that starts a stretch (or
        // follows a non-ASCII space inside one), at most three stretches
        // after its weekday and at most four before a zone.
        let year = |s: &Stretch| {
            let b = &bytes[s.start as usize..s.end as usize];
            s.has_any(NON_ASCII)
                || b.len() >= 4
                    && matches!(&b[..2], b"19" | b"20")
                    && b[2].is_ascii_digit()
                    && b[3].is_ascii_digit()
                    && b.get(4).is_none_or(|&c| !is_word_byte(c))
        };
        for (offset, c) in captures_in(text, written, stretches.ranges_around(year, 3, 4)) {
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
        // Log timestamps: `Oct  3 14:22:07` (syslog) and `14/Aug/2024:21:03:17.402` (access logs).
        let log = regex(
            &LOG,
            &format!(
                r"(?-u:\b)(?:(?P<m1>{MONTH})\s{{1,2}}(?P<d1>[0-3]?[0-9])\s+|(?P<d2>[0-3][0-9])/(?P<m2>{MONTH})/(?P<y>(?:19|20)[0-9]{{2}}):){CLOCK}(?:\s?(?P<z>{ZONE}))?(?-u:\b)"
            ),
        );
        // Log timestamps and bare clock times hold a stretch with a digit
        // and a colon, at most two stretches after a month and a day, and
        // two before a `p.m.` and a zone.
        let clock = |s: &Stretch| s.has(DIGIT | COLON);
        let clocks: Vec<(usize, usize)> = stretches.ranges_around(clock, 2, 2).collect();
        for (offset, c) in captures_in(text, log, clocks.iter().copied()) {
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
        // Bare clock times, with or without a zone.
        let bare = regex(
            &BARE,
            &format!(r"(?-u:\b){CLOCK}(?:\s?\(?(?P<z>{ZONE})(?-u:\b)\)?)?"),
        );
        for m in find_in(text, bare, clocks.iter().copied()) {
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
        let bare = Regex::new(&format!(
            r"(?-u:\b){CLOCK}(?:\s?\(?(?P<z>{ZONE})(?-u:\b)\)?)?"
        ))
        .unwrap();
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
