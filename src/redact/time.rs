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
