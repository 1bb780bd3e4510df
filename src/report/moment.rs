//! The forms a timeline time may take in a submission. Parsing lives here
//! (validation needs it); turning moments into offsets from the incident
//! start is de-identification and lives in `redact::time`.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Moment {
    /// RFC 3339 with an offset.
    Absolute(DateTime<FixedOffset>),
    /// `YYYY-MM-DD HH:MM[:SS]` in the incident's local time.
    Local(NaiveDateTime),
    /// `HH:MM[:SS]` on the day of the incident (or the next, when the clock wraps).
    ClockTime(NaiveTime),
    /// Already an offset: `T+14m`, `T-2h`, `T+1d3h20m`, in minutes.
    Offset(i64),
}

pub fn parse_moment(raw: &str) -> Option<Moment> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(Moment::Absolute(t));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Moment::Local(t));
        }
    }
    for fmt in ["%H:%M:%S", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, fmt) {
            return Some(Moment::ClockTime(t));
        }
    }
    parse_offset(s).map(Moment::Offset)
}

/// `T+0`, `T+14m`, `T-2h`, `T+1d3h20m` → minutes.
pub fn parse_offset(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('T').or_else(|| s.strip_prefix('t'))?;
    let (sign, mut rest) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        _ => return None,
    };
    if rest == "0" {
        return Some(0);
    }
    let mut total: i64 = 0;
    let mut seen_unit = false;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 6 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let minutes = match unit {
            'd' => n * 1440,
            'h' => n * 60,
            'm' => n,
            _ => return None,
        };
        total += minutes;
        seen_unit = true;
        rest = &rest[digits + 1..];
    }
    seen_unit.then_some(sign * total)
}

/// Minutes → `T+0`, `T+14m`, `T+2h5m`, `T+1d3h`, `T-30m`.
pub fn format_offset(minutes: i64) -> String {
    if minutes == 0 {
        return "T+0".into();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    let (d, h, mm) = (m / 1440, (m % 1440) / 60, m % 60);
    // One allocation: every time in a report's text becomes one of these.
    let mut out = String::with_capacity(16);
    out.push('T');
    out.push(sign);
    for (n, unit) in [(d, 'd'), (h, 'h'), (mm, 'm')] {
        if n > 0 {
            write!(out, "{n}{unit}").expect("writing to a String cannot fail");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip() {
        for (s, m) in [
            ("T+0", 0),
            ("T+14m", 14),
            ("T-2h", -120),
            ("T+1d3h20m", 1640),
        ] {
            assert_eq!(parse_offset(s), Some(m), "{s}");
            assert_eq!(format_offset(m), s);
        }
        assert_eq!(parse_offset("T+"), None);
        assert_eq!(parse_offset("T+5x"), None);
    }

    #[test]
    fn moments_parse_in_every_form() {
        assert!(matches!(
            parse_moment("2023-11-03T02:14:00+01:00"),
            Some(Moment::Absolute(_))
        ));
        assert!(matches!(
            parse_moment("2023-11-03 02:14"),
            Some(Moment::Local(_))
        ));
        assert!(matches!(parse_moment("02:14"), Some(Moment::ClockTime(_))));
        assert!(matches!(parse_moment("T+14m"), Some(Moment::Offset(14))));
        assert_eq!(parse_moment("the next morning"), None);
    }
}
