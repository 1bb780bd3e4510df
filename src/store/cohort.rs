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

use super::schema::cohort_sizes;
use super::{Connection, ReportRow, StoreError};
use crate::report::ReportContent;

/// k when nothing configures it: cells and cohorts under five reports.
pub const DEFAULT_K: u64 = 5;

/// The value a withheld organisation size is published as.
pub const UNDISCLOSED: &str = "undisclosed";

/// A report's cohort at each level of generalisation, as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohorts {
    /// `industry|size|YYYY-Qn`
    pub exact: String,
    /// `industry|YYYY-Qn`: what stays visible without the size.
    pub no_size: String,
    /// `industry|size|YYYY`: what stays visible without the month.
    pub no_month: String,
    /// `industry|YYYY`: without both.
    pub coarse: String,
}

/// `None` when the report states none of industry, size and month.
pub fn cohorts_of(c: &ReportContent) -> Option<Cohorts> {
    let month = c.incident.month.as_deref();
    if c.industry.is_none() && c.organization_size.is_none() && month.is_none() {
        return None;
    }
    let dash = "-";
    let industry = c.industry.as_deref().unwrap_or(dash);
    let size = c.organization_size.as_deref().unwrap_or(dash);
    let parsed = month.and_then(|m| Some((m.get(..4)?, m.get(5..7)?.parse::<u32>().ok()?)));
    let (year, quarter) = match parsed {
        Some((y, m)) => (y.to_string(), format!("{y}-Q{}", m.div_ceil(3))),
        None => (dash.to_string(), dash.to_string()),
    };
    Some(Cohorts {
        exact: format!("{industry}|{size}|{quarter}"),
        no_size: format!("{industry}|{quarter}"),
        no_month: format!("{industry}|{size}|{year}"),
        coarse: format!("{industry}|{year}"),
    })
}

impl ReportRow {
    /// The cohorts stored with the row at submission.
    pub fn cohorts(&self) -> Option<Cohorts> {
        Some(Cohorts {
            exact: self.cohort.clone()?,
            no_size: self.cohort_no_size.clone()?,
            no_month: self.cohort_no_month.clone()?,
            coarse: self.cohort_coarse.clone()?,
        })
    }
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

/// Published reports in the cohort `cohort` at `level`, plus one for the
/// report about to be published, counted no further than `k` (the answer
/// only matters up to k). The counts are kept per cohort by triggers on
/// `reports` (see the `lean_writes` migration): one small lookup, however
/// large the registry grows.
fn bounded_count(
    conn: &mut Connection,
    level: &str,
    cohort: &str,
    k: u64,
) -> Result<u64, StoreError> {
    // Once per imported report: see `execute_native`.
    let published: Option<i64> = conn
        .get_result_native(
            cohort_sizes::table
                .find((level, cohort))
                .select(cohort_sizes::published),
        )
        .optional()?;
    Ok((published.unwrap_or(0).max(0) as u64).min(k) + 1)
}

/// Decides what to generalise, giving up as little as possible: the size,
/// else the month, else both, whichever first puts the report among at
/// least `k` published reports (itself included) of compatible cohorts.
/// Counts stop at k, so `cohort_reports` and `published_cohort_reports`
/// read "at least k" when they equal k. The report must not be published
/// yet: it counts itself once, on top of the published reports.
pub fn check(
    conn: &mut Connection,
    content: &ReportContent,
    cohorts: Option<&Cohorts>,
    k: u64,
) -> Result<Anonymity, StoreError> {
    let nothing = |n| Anonymity {
        k,
        cohort_reports: n,
        published_cohort_reports: n,
        generalised: Vec::new(),
        warning: None,
    };
    let Some(c) = cohorts else {
        return Ok(nothing(0));
    };
    let exact = bounded_count(conn, "exact", &c.exact, k)?;
    if exact >= k {
        return Ok(nothing(exact));
    }
    let has_size = content
        .organization_size
        .as_deref()
        .is_some_and(|s| s != UNDISCLOSED);
    let has_month = content.incident.month.is_some();
    let without_size = bounded_count(conn, "no_size", &c.no_size, k)?;
    let without_month = bounded_count(conn, "no_month", &c.no_month, k)?;
    let without_both = bounded_count(conn, "coarse", &c.coarse, k)?;
    // Each step: (fields withheld, reports sharing what remains visible).
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
