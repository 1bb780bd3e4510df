//! Coarsening time: the incident start becomes its month and 6-hour block,
//! timeline times become offsets from the start. Local time as the submitter
//! wrote it is kept for the block (a 3 a.m. incident is a night incident
//! wherever it happened) but the UTC offset, which hints at a location, is
//! dropped.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Timelike};

use crate::report::moment::{format_offset, parse_moment, Moment};
use crate::report::submission::TimelineEntry;
use crate::report::TimelineOffset;

/// The month (`YYYY-MM`) and 6-hour block (`00-06` …) of an RFC 3339 time.
pub fn month_and_block(started_at: &str) -> Option<(String, String)> {
    let t = DateTime::parse_from_rfc3339(started_at.trim()).ok()?;
    Some((
        format!("{:04}-{:02}", t.year(), t.month()),
        block_of_hour(t.hour()).to_string(),
    ))
}

fn block_of_hour(hour: u32) -> &'static str {
    match hour {
        0..=5 => "00-06",
        6..=11 => "06-12",
        12..=17 => "12-18",
        _ => "18-24",
    }
}

/// Timeline entries with their times replaced by offsets from the incident
/// start (or, without one, from the first entry that has a date or clock
/// time). Entries keep their order.
pub fn to_offsets(started_at: Option<&str>, timeline: &[TimelineEntry]) -> Vec<TimelineOffset> {
    let moments: Vec<Option<Moment>> = timeline.iter().map(|t| parse_moment(&t.at)).collect();
    let start: Option<DateTime<FixedOffset>> =
        started_at.and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok());
    let zone = start.map(|s| *s.offset()).or_else(|| {
        moments.iter().flatten().find_map(|m| match m {
            Moment::Absolute(t) => Some(*t.offset()),
            _ => None,
        })
    });
    // Everything is compared in the incident's local wall-clock time.
    let to_local = |m: &Moment| -> Option<NaiveDateTime> {
        match m {
            Moment::Absolute(t) => Some(match zone {
                Some(z) => t.with_timezone(&z).naive_local(),
                None => t.naive_local(),
            }),
            Moment::Local(t) => Some(*t),
            _ => None,
        }
    };
    let reference: Option<NaiveDateTime> = start
        .map(|s| s.naive_local())
        .or_else(|| moments.iter().flatten().find_map(&to_local));
    let first_clock = moments.iter().flatten().find_map(|m| match m {
        Moment::ClockTime(t) => Some(*t),
        _ => None,
    });
    let reference = reference.or_else(|| {
        first_clock.map(|t| {
            NaiveDate::from_ymd_opt(2000, 1, 1)
                .unwrap_or_default()
                .and_time(t)
        })
    });

    let mut previous: Option<NaiveDateTime> = reference;
    timeline
        .iter()
        .zip(moments)
        .map(|(entry, moment)| {
            let offset = match (moment, reference) {
                (Some(Moment::Offset(m)), _) => Some(m),
                (Some(m @ (Moment::Absolute(_) | Moment::Local(_))), Some(r)) => {
                    let local = to_local(&m);
                    if let Some(l) = local {
                        previous = Some(l);
                    }
                    local.map(|l| (l - r).num_minutes())
                }
                (Some(Moment::ClockTime(t)), Some(r)) => {
                    // A bare clock time falls on the day of the previous
                    // entry, or the next day when the clock has wrapped.
                    let base = previous.unwrap_or(r);
                    let mut candidate = base.date().and_time(t);
                    if candidate + Duration::minutes(1) < base {
                        candidate += Duration::days(1);
                    }
                    previous = Some(candidate);
                    Some((candidate - r).num_minutes())
                }
                _ => None,
            };
            TimelineOffset {
                offset: offset.map(format_offset).unwrap_or_else(|| "T?".into()),
                event: entry.event.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str) -> TimelineEntry {
        TimelineEntry {
            at: at.into(),
            event: "e".into(),
        }
    }

    #[test]
    fn start_becomes_month_and_local_block() {
        assert_eq!(
            month_and_block("2023-11-03T02:14:00+01:00"),
            Some(("2023-11".into(), "00-06".into()))
        );
        assert_eq!(
            month_and_block("2023-11-30T23:59:00-08:00"),
            Some(("2023-11".into(), "18-24".into()))
        );
    }

    #[test]
    fn timeline_becomes_offsets_in_every_form() {
        let t = to_offsets(
            Some("2023-11-03T23:50:00+01:00"),
            &[
                entry("2023-11-03T22:50:00Z"),
                entry("2023-11-03 23:55"),
                entry("00:04"),
                entry("T+1d"),
                entry("2023-11-03T21:50:00+01:00"),
            ],
        );
        let offsets: Vec<&str> = t.iter().map(|o| o.offset.as_str()).collect();
        assert_eq!(offsets, ["T+0", "T+5m", "T+14m", "T+1d", "T-2h"]);
    }
}

/// Absolute dates and clock times written inside text. A date with a time
/// becomes an offset from the incident start (when the start is known) or
/// its month; a date alone becomes its month; a clock time with a time zone
/// becomes an offset, or the bare time. Time-zone names are dropped: they
/// say where a company is.
pub mod in_text {
    use std::sync::OnceLock;

    use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
    use regex::{Captures, Regex};

    use crate::redact::detect::{regex, Span};
    use crate::redact::FindingKind;
    use crate::report::moment::format_offset;

    const MONTHS: [&str; 12] = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ];

    fn month_number(name: &str) -> Option<u32> {
        let lower = name.to_lowercase();
        let lower = lower.trim_end_matches('.');
        MONTHS
            .iter()
            .position(|m| *m == lower || (lower.len() >= 3 && m.starts_with(lower) && (lower.len() == 3 || lower == "sept")))
            .map(|i| i as u32 + 1)
    }

    fn month_name(m: u32) -> &'static str {
        [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ][(m.clamp(1, 12) - 1) as usize]
    }

    /// Minutes east of UTC for a zone written in a postmortem.
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
            "CET" | "BST" | "WEST" | "IST-IE" => 60,
            "CEST" | "EET" | "SAST" => 120,
            "EEST" | "MSK" => 180,
            "IST" => 330,
            "SGT" | "HKT" | "AWST" => 480,
            "JST" | "KST" => 540,
            "AEST" => 600,
            "AEDT" => 660,
            "NZST" => 720,
            "NZDT" => 780,
            "PST" => -480,
            "PDT" | "MST" => -420,
            "MDT" | "CST" => -360,
            "CDT" | "EST" => -300,
            "EDT" => -240,
            "AST" => -240,
            _ => return None,
        })
    }

    const ZONE: &str = r"(?:Z|UTC|GMT|WET|WEST|CET|CEST|BST|EET|EEST|MSK|IST|SGT|HKT|AWST|JST|KST|AEST|AEDT|NZST|NZDT|PST|PDT|MST|MDT|CST|CDT|EST|EDT|SAST|[+-][0-9]{2}:?[0-9]{2})";
    const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
    const WEEKDAY: &str = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,?\s+)?";

    fn hour_of(c: &Captures, hour: &str, ampm: &str) -> Option<u32> {
        let h: u32 = c.name(hour)?.as_str().parse().ok()?;
        match c.name(ampm).map(|m| m.as_str().to_ascii_lowercase()) {
            Some(p) if p.starts_with('p') && h < 12 => Some(h + 12),
            Some(p) if p.starts_with('a') && h == 12 => Some(0),
            _ => Some(h),
        }
    }

    /// The incident start as the redactor knows it: local wall time and
    /// offset. Never published.
    #[derive(Debug, Clone, Copy)]
    pub struct Reference(pub DateTime<FixedOffset>);

    impl Reference {
        fn offset_of(&self, local: NaiveDateTime, zone: Option<i32>) -> Option<String> {
            let start = self.0;
            let instant = match zone.and_then(|z| FixedOffset::east_opt(z * 60)) {
                Some(z) => z.from_local_datetime(&local).single()?,
                None => start.offset().from_local_datetime(&local).single()?,
            };
            let minutes = (instant.with_timezone(start.offset()) - start).num_minutes();
            // Far from the incident it is not a timeline moment: a month says enough.
            (minutes.abs() <= 60 * 24 * 60).then(|| format_offset(minutes))
        }
    }

    fn push(out: &mut Vec<Span>, start: usize, end: usize, replacement: String) {
        let mut s = Span::new(start, end, FindingKind::Datetime, String::new());
        s.replacement = Some(replacement);
        out.push(s);
    }

    pub fn dates_and_times(text: &str, reference: Option<Reference>, out: &mut Vec<Span>) {
        static ISO: OnceLock<Regex> = OnceLock::new();
        static WRITTEN: OnceLock<Regex> = OnceLock::new();
        static CLOCK: OnceLock<Regex> = OnceLock::new();
        let iso = regex(
            &ISO,
            &format!(
                r"\b(?P<y>[0-9]{{4}})-(?P<mo>[01][0-9])-(?P<d>[0-3][0-9])(?:[T ](?P<h>[0-2]?[0-9]):(?P<mi>[0-5][0-9])(?::[0-5][0-9](?:\.[0-9]+)?)?(?:\s?(?P<z>{ZONE}))?)?\b"
            ),
        );
        for c in iso.captures_iter(text) {
            let m = c.get(0).expect("whole match");
            let (Some(y), Some(mo), Some(d)) = (
                c.name("y").and_then(|v| v.as_str().parse::<i32>().ok()),
                c.name("mo").and_then(|v| v.as_str().parse::<u32>().ok()),
                c.name("d").and_then(|v| v.as_str().parse::<u32>().ok()),
            ) else {
                continue;
            };
            let Some(date) = NaiveDate::from_ymd_opt(y, mo, d) else { continue };
            let time = c
                .name("h")
                .and_then(|h| NaiveTime::from_hms_opt(h.as_str().parse().ok()?, c.name("mi")?.as_str().parse().ok()?, 0));
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            let replacement = match (time, reference) {
                (Some(t), Some(r)) => r.offset_of(date.and_time(t), zone),
                _ => None,
            }
            .unwrap_or_else(|| format!("{:04}-{:02}", date.year(), date.month()));
            push(out, m.start(), m.end(), replacement);
        }
        let written = regex(
            &WRITTEN,
            &format!(
                r"(?i)\b{WEEKDAY}(?:(?P<d1>[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?P<m1>{MONTH})|(?P<m2>{MONTH})\s+(?P<d2>[0-3]?[0-9])(?:st|nd|rd|th)?),?\s+(?P<y>(?:19|20)[0-9]{{2}})(?:,?\s+(?:at\s+)?(?P<h>[0-2]?[0-9]):(?P<mi>[0-5][0-9])(?::[0-5][0-9])?\s*(?P<ap>[ap]\.?m\.?)?(?:\s*\(?(?P<z>{ZONE})\)?)?)?\b"
            ),
        );
        for c in written.captures_iter(text) {
            let m = c.get(0).expect("whole match");
            let month = c.name("m1").or(c.name("m2")).and_then(|v| month_number(v.as_str()));
            let day = c.name("d1").or(c.name("d2")).and_then(|v| v.as_str().parse::<u32>().ok());
            let year = c.name("y").and_then(|v| v.as_str().parse::<i32>().ok());
            let (Some(month), Some(day), Some(year)) = (month, day, year) else { continue };
            let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else { continue };
            let time = hour_of(&c, "h", "ap")
                .and_then(|h| NaiveTime::from_hms_opt(h, c.name("mi")?.as_str().parse().ok()?, 0));
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            let replacement = match (time, reference) {
                (Some(t), Some(r)) => r.offset_of(date.and_time(t), zone),
                _ => None,
            }
            .unwrap_or_else(|| format!("{} {}", month_name(month), year));
            push(out, m.start(), m.end(), replacement);
        }
        // A clock time is identifying only with its zone (the zone says where).
        let clock = regex(
            &CLOCK,
            &format!(
                r"\b(?P<h>[0-2]?[0-9]):(?P<mi>[0-5][0-9])(?::[0-5][0-9])?\s*(?P<ap>[ap]\.?m\.?)?\s*\(?(?P<z>{ZONE})\b\)?"
            ),
        );
        let dated: Vec<(usize, usize)> = out.iter().filter(|s| s.kind == FindingKind::Datetime).map(|s| (s.start, s.end)).collect();
        for c in clock.captures_iter(text) {
            let m = c.get(0).expect("whole match");
            if dated.iter().any(|&(s, e)| m.start() < e && s < m.end()) {
                continue;
            }
            let Some(time) = hour_of(&c, "h", "ap")
                .and_then(|h| NaiveTime::from_hms_opt(h, c.name("mi")?.as_str().parse().ok()?, 0))
            else {
                continue;
            };
            let zone = c.name("z").and_then(|z| zone_minutes(z.as_str()));
            let replacement = reference
                .and_then(|r| {
                    // The day of the incident start, in the written zone.
                    let zone_offset = FixedOffset::east_opt(zone? * 60)?;
                    let day = r.0.with_timezone(&zone_offset).date_naive();
                    let mut local = day.and_time(time);
                    let start_local = r.0.with_timezone(&zone_offset).naive_local();
                    if local + Duration::hours(12) < start_local {
                        local += Duration::days(1);
                    }
                    r.offset_of(local, Some(zone?))
                })
                .unwrap_or_else(|| time.format("%H:%M").to_string());
            push(out, m.start(), m.end(), replacement);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn replaced(text: &str, start: Option<&str>) -> Vec<(String, String)> {
            let r = start.map(|s| Reference(DateTime::parse_from_rfc3339(s).unwrap()));
            let mut out = Vec::new();
            dates_and_times(text, r, &mut out);
            out.iter()
                .map(|s| (text[s.start..s.end].to_string(), s.replacement.clone().unwrap()))
                .collect()
        }

        #[test]
        fn dates_become_months_and_times_become_offsets() {
            let start = Some("2024-03-14T02:00:00+00:00");
            assert_eq!(
                replaced("at 2024-03-14 02:14 UTC and 2024-03-15T03:00:00+01:00, deployed 2024-01-02", start),
                [
                    ("2024-03-14 02:14 UTC".into(), "T+14m".into()),
                    ("2024-03-15T03:00:00+01:00".into(), "T+1d".into()),
                    ("2024-01-02".into(), "2024-01".into())
                ]
            );
            assert_eq!(
                replaced("On Thursday, 14 March 2024 at 09:30 CET we saw it; March 3rd, 2023 too", start),
                [
                    ("Thursday, 14 March 2024 at 09:30 CET".into(), "T+6h30m".into()),
                    ("March 3rd, 2023".into(), "March 2023".into())
                ]
            );
            assert_eq!(replaced("by 03:12 PST", None), [("03:12 PST".into(), "03:12".into())]);
            assert_eq!(replaced("by 7:05 pm UTC", start), [("7:05 pm UTC".into(), "T+17h5m".into())]);
            assert!(replaced("port 5432 at 14:02, v1.2", start).is_empty());
        }
    }
}
