//! k-anonymity at publication. A report's industry, organisation size and
//! incident quarter together can point at one company. Before a report is
//! published, the registry counts the published reports of the same cohort
//! (the same three values, as submitted). If fewer than k (itself included)
//! would share them, it withholds as little as it can: the size (published
//! as `undisclosed`), else the month (published as its year), else both,
//! whichever first makes at least k published reports share what stays
//! visible; and it tells the reviewer.
//!
//! Cohorts are counted on the values as submitted, not as published: a
//! generalised report still belongs to its cohort, so once k reports of a
//! cohort exist the next one can be published in full, and every one of
//! them stays indistinguishable among at least k compatible reports.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::reports;
use super::{Connection, Status, StoreError};
use crate::report::ReportContent;

/// k when nothing configures it: cells and cohorts under five reports.
pub const DEFAULT_K: u64 = 5;

/// The value a withheld organisation size is published as.
pub const UNDISCLOSED: &str = "undisclosed";

/// `(fine, coarse)`: "industry|size|YYYY-Qn" and "industry|YYYY"; `None`
/// when the report states none of the three.
pub fn cohort_of(c: &ReportContent) -> Option<(String, String)> {
    let month = c.incident.month.as_deref();
    if c.industry.is_none() && c.organization_size.is_none() && month.is_none() {
        return None;
    }
    let dash = "-";
    let industry = c.industry.as_deref().unwrap_or(dash);
    let size = c.organization_size.as_deref().unwrap_or(dash);
    let (year, quarter) =
        match month.and_then(|m| Some((m.get(..4)?, m.get(5..7)?.parse::<u32>().ok()?))) {
            Some((y, m)) => (y.to_string(), format!("{y}-Q{}", m.div_ceil(3))),
            None => (dash.to_string(), dash.to_string()),
        };
    Some((
        format!("{industry}|{size}|{quarter}"),
        format!("{industry}|{year}"),
    ))
}

/// What the anonymity check found and what publishing will change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Anonymity {
    pub k: u64,
    /// Published reports, this one included, sharing industry, size and
    /// quarter.
    pub cohort_reports: u64,
    /// Reports, this one included, sharing what is published after
    /// generalisation.
    pub published_cohort_reports: u64,
    /// Fields published in a coarser form: `organization_size`,
    /// `incident.month`.
    pub generalised: Vec<String>,
    /// For the reviewer; empty when nothing needs saying.
    pub warning: Option<String>,
}

/// `%` and `_` are wildcards in LIKE; escape them (and the escape) in values.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Decides what to generalise, giving up as little as possible: the size,
/// else the month, else both, whichever first puts the report among at
/// least `k` published reports (itself included) of compatible cohorts.
pub fn check(
    conn: &mut Connection,
    id: &str,
    content: &ReportContent,
    cohort: Option<(&str, &str)>,
    k: u64,
) -> Result<Anonymity, StoreError> {
    let nothing = |n| Anonymity {
        k,
        cohort_reports: n,
        published_cohort_reports: n,
        generalised: Vec::new(),
        warning: None,
    };
    let Some((fine, coarse)) = cohort else {
        return Ok(nothing(0));
    };
    let mut parts = fine.splitn(3, '|');
    let (industry, size, quarter) = (
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or("-"),
    );
    let year = quarter.get(..4).unwrap_or("-");
    let count = |conn: &mut Connection, pattern: &str, exact: bool| -> Result<u64, StoreError> {
        let q = reports::table
            .filter(reports::status.eq(Status::Published.as_str()))
            .filter(reports::id.ne(id))
            .into_boxed();
        let q = if exact {
            q.filter(reports::cohort_coarse.eq(pattern.to_string()))
        } else {
            q.filter(reports::cohort.like(pattern.to_string()).escape('\\'))
        };
        Ok(q.count().get_result::<i64>(conn)?.max(0) as u64 + 1)
    };
    let (i, z) = (like_literal(industry), like_literal(size));
    let exact = count(conn, &format!("{i}|{z}|{}", like_literal(quarter)), false)?;
    if exact >= k {
        return Ok(nothing(exact));
    }
    let has_size = content
        .organization_size
        .as_deref()
        .is_some_and(|s| s != UNDISCLOSED);
    let has_month = content.incident.month.is_some();
    // Each step: (fields withheld, reports sharing what remains visible).
    let without_size = count(conn, &format!("{i}|%|{}", like_literal(quarter)), false)?;
    let without_month = count(conn, &format!("{i}|{z}|{}%", like_literal(year)), false)?;
    let without_both = count(conn, coarse, true)?;
    let steps = [
        (has_size.then(|| vec!["organization_size"]), without_size),
        (has_month.then(|| vec!["incident.month"]), without_month),
        (
            (has_size && has_month).then(|| vec!["organization_size", "incident.month"]),
            without_both,
        ),
    ];
    let chosen = steps
        .iter()
        .filter_map(|(fields, n)| fields.as_ref().map(|f| (f, *n)))
        .find(|(_, n)| *n >= k)
        .or_else(|| {
            // Nothing reaches k: withhold everything that can be withheld.
            let all: Vec<&str> = [
                has_size.then_some("organization_size"),
                has_month.then_some("incident.month"),
            ]
            .into_iter()
            .flatten()
            .collect();
            steps
                .iter()
                .filter_map(|(fields, n)| fields.as_ref().map(|f| (f, *n)))
                .find(|(f, _)| f.len() == all.len())
        });
    let (generalised, shared) = match chosen {
        Some((fields, n)) => (fields.iter().map(|f| f.to_string()).collect::<Vec<_>>(), n),
        None => (Vec::new(), exact),
    };
    let mut warning = format!(
        "only {exact} published report(s), this one included, share its industry, size and quarter (k = {k})"
    );
    if generalised.is_empty() {
        warning.push_str("; nothing more can be withheld");
    } else {
        warning.push_str(&format!(
            "; publishing withholds {} and it then shares what is visible with {shared}",
            generalised.join(" and ")
        ));
    }
    if shared < k {
        warning.push_str("; it may still stand out: consider asking the submitter or rejecting");
    }
    Ok(Anonymity {
        k,
        cohort_reports: exact,
        published_cohort_reports: shared,
        generalised,
        warning: Some(warning),
    })
}

/// Applies the generalisations `check` decided on.
pub fn generalise(content: &mut ReportContent, fields: &[String]) {
    for field in fields {
        match field.as_str() {
            "organization_size" => content.organization_size = Some(UNDISCLOSED.to_string()),
            "incident.month" => {
                if let Some(month) = content.incident.month.take() {
                    content.incident.year = month.get(..4).map(str::to_string);
                }
            }
            _ => {}
        }
    }
}
