//! What a search asks for, and its translation into tantivy queries.

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, InvertedIndexRangeQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::error::SearchError;
use crate::facets::FacetKind;
use crate::report::{flat_facet, month_number};
use crate::schema::Fields;

/// Most hits a client may page through; past this, ask for a narrower query.
pub const MAX_DEPTH: usize = 10_000;
pub const MAX_PER_PAGE: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// User query syntax; empty matches every report.
    pub text: String,
    pub filters: Filters,
    pub sort: Sort,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// OR within one filter, AND across filters. Empty means "no filter".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Technology ids, whatever their category.
    pub tech: Vec<String>,
    pub trigger: Vec<String>,
    pub factor: Vec<String>,
    pub mitigation: Vec<String>,
    pub industry: Vec<String>,
    pub severity: Vec<String>,
    pub detection: Vec<String>,
    /// Incident years, "YYYY". A report whose month was withheld still
    /// has its year, so this finds reports a month range cannot.
    #[serde(default)]
    pub year: Vec<String>,
    /// Inclusive "YYYY-MM" bounds. Reports without a month never match a
    /// bound.
    pub from_month: Option<String>,
    pub to_month: Option<String>,
    /// Inclusive bounds on time to resolve, in minutes. Reports without a
    /// time to resolve never match a bound.
    pub min_ttr: Option<u32>,
    pub max_ttr: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// BM25; without query text, falls back to newest (every score is equal).
    #[default]
    Relevance,
    /// Incident month, newest first, then score.
    Newest,
    /// Time to resolve, longest first, then score.
    Longest,
    /// Registry publication day, most recent first (what a feed wants).
    Published,
}

impl SearchQuery {
    /// Checks paging and returns `(offset, limit)`.
    pub fn window(&self) -> Result<(usize, usize), SearchError> {
        if self.page == 0 {
            return Err(SearchError::InvalidParameter {
                name: "page",
                message: "pages start at 1".into(),
            });
        }
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            return Err(SearchError::InvalidParameter {
                name: "per_page",
                message: format!("must be between 1 and {MAX_PER_PAGE}"),
            });
        }
        match self.page.checked_mul(self.per_page) {
            Some(depth) if depth <= MAX_DEPTH => {
                Ok(((self.page - 1) * self.per_page, self.per_page))
            }
            _ => Err(SearchError::TooDeep { limit: MAX_DEPTH }),
        }
    }
}

/// The facets whose counts are the whole index's, less withdrawn reports:
/// known without visiting a report (see `FilterClauses::unfaceted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whole {
    None,
    /// The only facet with a filter, when that is the only filter.
    One(FacetKind),
    /// Every facet, when nothing is filtered.
    All,
}

/// The filters as queries, each tagged with the facet it restricts so facet
/// counts can leave their own filter out.
pub struct FilterClauses {
    clauses: Vec<(Option<FacetKind>, Box<dyn Query>)>,
    /// The same facet filters as values, for a search that tests each
    /// document against them itself (see `pass`).
    pub(crate) facet_values: Vec<(FacetKind, Vec<String>)>,
    /// The month range (the year facet's), as inclusive `YYYYMM` bounds.
    pub(crate) months: Option<(Option<u64>, Option<u64>)>,
}

impl FilterClauses {
    pub fn build(filters: &Filters, f: &Fields) -> Result<FilterClauses, SearchError> {
        let mut clauses = Vec::new();
        let mut facet_values = Vec::new();
        for (kind, values) in [
            (FacetKind::Tech, &filters.tech),
            (FacetKind::Trigger, &filters.trigger),
            (FacetKind::Factor, &filters.factor),
            (FacetKind::Mitigation, &filters.mitigation),
            (FacetKind::Industry, &filters.industry),
            (FacetKind::Severity, &filters.severity),
            (FacetKind::Detection, &filters.detection),
        ] {
            if !values.is_empty() {
                clauses.push((Some(kind), any_facet(kind.field(f), values)));
                facet_values.push((kind, values.clone()));
            }
        }
        // The years and the month range are both the year facet's own
        // filters: its counts leave them out, like any facet's.
        if !filters.year.is_empty() {
            if let Some(bad) = filters.year.iter().find(|y| !is_year(y)) {
                return Err(SearchError::InvalidParameter {
                    name: "year",
                    message: format!("{bad:?} is not a YYYY year"),
                });
            }
            clauses.push((Some(FacetKind::Year), any_facet(f.year, &filters.year)));
            facet_values.push((FacetKind::Year, filters.year.clone()));
        }
        let from = parse_month("from", filters.from_month.as_deref())?;
        let to = parse_month("to", filters.to_month.as_deref())?;
        let months = (from.is_some() || to.is_some()).then_some((from, to));
        if months.is_some() {
            clauses.push((Some(FacetKind::Year), month_range(f.month, from, to)));
        }
        let (min, max) = (
            filters.min_ttr.map(u64::from),
            filters.max_ttr.map(u64::from),
        );
        if min.is_some() || max.is_some() {
            clauses.push((None, u64_range(f.ttr, min, max)));
        }
        Ok(FilterClauses {
            clauses,
            facet_values,
            months,
        })
    }

    /// What a search that tests the facet filters itself must visit, and
    /// the facet, if any, whose counts are those of the whole index.
    ///
    /// In general: `text` AND the filters that restrict no facet AND, when
    /// two or more facets have a filter, the filter of one of two of them. A
    /// document failing two facets' filters counts nowhere, so one that fails
    /// both of those two need not be visited; with a blank text that skips
    /// most of the registry. Two, not "all but one of all" (a
    /// minimum-should-match over every facet): with three, tantivy's
    /// minimum-should-match scorer took twice as long as the union of two
    /// (63-66 ms against 28-31 at a million reports), month range or not.
    ///
    /// With a blank text and one filter only, on a facet, that facet's
    /// counts leave out the only filter there is: they are the whole
    /// index's, known without visiting anything. Then only the reports that
    /// pass the filter are visited. With a blank text and no filter at all
    /// (the registry's front page), every facet's counts are.
    pub fn unfaceted(&self, text: &dyn Query, blank_text: bool) -> (Box<dyn Query>, Whole) {
        if blank_text && self.clauses.is_empty() {
            return (text.box_clone(), Whole::All);
        }
        let plain = self.select(text, |kind| kind.is_none());
        // One clause per restricted facet, facet values before month
        // ranges (cheaper to union).
        let mut pair: Vec<(FacetKind, &dyn Query)> = Vec::new();
        for (kind, clause) in &self.clauses {
            match kind {
                Some(kind) if !pair.iter().any(|(k, _)| k == kind) => {
                    pair.push((*kind, clause.as_ref()))
                }
                _ => {}
            }
        }
        let only_facet_filters = self.clauses.iter().all(|(kind, _)| kind.is_some());
        if blank_text && only_facet_filters && pair.len() == 1 {
            return (self.all(text), Whole::One(pair[0].0));
        }
        if pair.len() < 2 {
            return (plain, Whole::None);
        }
        pair.sort_by_key(|(kind, _)| *kind == FacetKind::Year);
        let either = BooleanQuery::union(vec![pair[0].1.box_clone(), pair[1].1.box_clone()]);
        let query = BooleanQuery::new(vec![
            (Occur::Must, plain),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(either), 0.0)),
            ),
        ]);
        (Box::new(query), Whole::None)
    }

    /// Whether every filter restricts a facet (none bounds the time to
    /// resolve, which the packed rows do not hold).
    pub(crate) fn facets_only(&self) -> bool {
        self.clauses.iter().all(|(kind, _)| kind.is_some())
    }

    /// The same filters, none of them tagged with a facet: a pass with
    /// these visits only the reports passing every filter and counts each
    /// in every facet (see `pass::scan` for who wants that).
    pub(crate) fn untagged(&self) -> FilterClauses {
        FilterClauses {
            clauses: self
                .clauses
                .iter()
                .map(|(_, clause)| (None, clause.box_clone()))
                .collect(),
            facet_values: Vec::new(),
            months: None,
        }
    }

    /// `text` AND every filter. Filters score nothing, so they never change
    /// relevance order.
    pub fn all(&self, text: &dyn Query) -> Box<dyn Query> {
        self.select(text, |_| true)
    }

    fn select(&self, text: &dyn Query, keep: impl Fn(Option<FacetKind>) -> bool) -> Box<dyn Query> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
        for (kind, clause) in &self.clauses {
            if keep(*kind) {
                parts.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(clause.box_clone(), 0.0)),
                ));
            }
        }
        if parts.len() == 1 {
            return text.box_clone();
        }
        Box::new(BooleanQuery::new(parts))
    }
}

/// Matches documents carrying any of `values` as a one-level facet.
fn any_facet(field: Field, values: &[String]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let term = Term::from_facet(field, &flat_facet(v));
            (
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

/// Inclusive bounds as terms of a u64 field.
fn u64_bounds(field: Field, min: Option<u64>, max: Option<u64>) -> (Bound<Term>, Bound<Term>) {
    let bound = |v: Option<u64>| match v {
        Some(v) => Bound::Included(Term::from_field_u64(field, v)),
        None => Bound::Unbounded,
    };
    (bound(min), bound(max))
}

/// Inclusive range on a fast field; callers pass at least one bound (a
/// `RangeQuery` learns its field from a bound).
fn u64_range(field: Field, min: Option<u64>, max: Option<u64>) -> Box<dyn Query> {
    let (min, max) = u64_bounds(field, min, max);
    Box::new(RangeQuery::new(min, max))
}

/// Inclusive range of incident months, read from the month terms'
/// postings into a bit set once per segment. A few hundred months at most,
/// so few terms; the fast field's range scan instead tests every report's
/// month and turns each passing row into a document through the column's
/// optional index, which made a text search with a month range and
/// another filter three to ten times slower than the same search without
/// the range.
fn month_range(field: Field, min: Option<u64>, max: Option<u64>) -> Box<dyn Query> {
    let (min, max) = u64_bounds(field, min, max);
    Box::new(InvertedIndexRangeQuery::new(min, max))
}

fn is_year(year: &str) -> bool {
    year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
}

fn parse_month(name: &'static str, month: Option<&str>) -> Result<Option<u64>, SearchError> {
    month
        .map(|m| {
            month_number(m).ok_or_else(|| SearchError::InvalidParameter {
                name,
                message: format!("{m:?} is not a YYYY-MM month"),
            })
        })
        .transpose()
}
