//! Running a `SearchQuery`: hits, total and facet counts in one pass (see
//! `pass`), then the hits rendered.

use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, TopDocs};
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::{DocAddress, Executor, Order, Score, Searcher};

use crate::error::SearchError;
use crate::facets::Facets;
use crate::hit::{Hit, HitRenderer};
use crate::index::SearchIndex;
use crate::pass::{scan, FacetedPass, Scanned};
use crate::query::{FilterClauses, SearchQuery, Sort};
use crate::stats::Columns;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// Every matching report, not just this page.
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Counts for every facet, each given all filters but its own.
    pub facets: Facets,
}

impl SearchIndex {
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let (offset, limit) = q.window()?;
        let text = self.text.parse(&q.text)?;
        let filters = FilterClauses::build(&q.filters, &self.fields)?;
        let base: Box<dyn Query> = text
            .as_ref()
            .map_or_else(|| Box::new(AllQuery) as _, |t| t.box_clone());
        let searcher = self.reader.searcher();
        let decoded = self.stats_columns.decoded(&searcher);

        let sort = match (q.sort, &text) {
            (Sort::Relevance, None) => Sort::Newest,
            (sort, _) => sort,
        };
        // A blank search, newest first, on facets only: the packed rows
        // answer it, or answer for two filtered facets (see `pass::scan`).
        let blank = if text.is_none() && sort == Sort::Newest && filters.facets_only() {
            self.blank(&searcher, &filters, &decoded, (offset, limit))?
        } else {
            None
        };
        let (total, scored, facets) = match blank {
            Some(answer) => answer,
            None => self.general(
                &searcher,
                base.as_ref(),
                text.is_none(),
                &filters,
                decoded,
                sort,
                (offset, limit),
            )?,
        };

        // Rendering: a stored document read and a snippet, which tokenises
        // and stems the field's text. At a million reports it is a small
        // part of a text search (6 % of `certificate expired`, where the
        // scoring and counting above take 77 %). Hits are independent, so
        // every core renders some.
        let renderer = HitRenderer::new(&searcher, &self.fields, text.as_deref())?;
        let hits = self.executor.map(
            |(score, address)| renderer.render(&searcher, address, score),
            scored.into_iter(),
        )?;
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    /// A blank search, newest first, on facet filters only, from the
    /// packed rows where they can answer it (see `pass::scan`); `None`
    /// where they cannot.
    pub(crate) fn blank(
        &self,
        searcher: &Searcher,
        filters: &FilterClauses,
        decoded: &[Option<Arc<Columns>>],
        window: (usize, usize),
    ) -> Result<Option<Matched>, SearchError> {
        Ok(
            match scan(searcher, decoded, filters, window, &self.executor)? {
                Some(Scanned::Answer {
                    total,
                    page,
                    facets,
                }) => Some((total, page, facets)),
                // The reports passing both filters, each counted in every
                // facet; the two filtered facets' counts replaced.
                Some(Scanned::TwoFacets(two)) => {
                    let both = filters.untagged();
                    let all = decoded.to_vec();
                    let (total, page, mut facets) =
                        self.general(searcher, &AllQuery, true, &both, all, Sort::Newest, window)?;
                    facets.extend(two);
                    Some((total, page, facets))
                }
                None => None,
            },
        )
    }

    /// The pass every search can take: the query through tantivy, each
    /// match tested and counted (see `pass`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn general(
        &self,
        searcher: &Searcher,
        base: &dyn Query,
        blank: bool,
        filters: &FilterClauses,
        decoded: Vec<Option<Arc<Columns>>>,
        sort: Sort,
        (offset, limit): (usize, usize),
    ) -> Result<Matched, SearchError> {
        let (query, whole) = filters.unfaceted(base, blank);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        Ok(match sort {
            // Ties (common: equal BM25 for near-identical reports) go by
            // `id_order`, so pages are stable and a rebuilt index orders
            // like the incremental one, whatever the document addresses.
            Sort::Relevance => {
                let (total, docs, facets) = run(
                    searcher,
                    query.as_ref(),
                    &FacetedPass::new(
                        top.order_by((
                            (SortBySimilarityScore, Order::Desc),
                            (
                                SortByStaticFastValue::<u64>::for_field("id_order"),
                                Order::Asc,
                            ),
                        )),
                        filters,
                        decoded,
                        whole,
                    ),
                    &self.executor,
                )?;
                let scored: Vec<_> = docs
                    .into_iter()
                    .map(|((score, _), address)| (score, address))
                    .collect();
                (total, scored, facets)
            }
            Sort::Newest | Sort::Longest | Sort::Published => {
                let field = match sort {
                    Sort::Newest => "month",
                    Sort::Longest => "ttr",
                    _ => "published",
                };
                let pass = FacetedPass::new(top_by(top, field), filters, decoded, whole);
                let (total, docs, facets) = run(searcher, query.as_ref(), &pass, &self.executor)?;
                let scored: Vec<_> = docs
                    .into_iter()
                    .map(|((_, score, _), address)| (score, address))
                    .collect();
                (total, scored, facets)
            }
        })
    }
}

/// Runs `collector` with the segments spread over the cores, scoring only
/// if it needs scores.
fn run<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    executor: &Executor,
) -> Result<C::Fruit, SearchError> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    Ok(searcher.search_with_executor(query, collector, executor, scoring)?)
}

/// The total, the page (score and address) and the facet counts.
pub(crate) type Matched = (usize, Vec<(Score, DocAddress)>, Facets);

type FieldScoreId = (Option<u64>, Score, Option<u64>);

/// Orders by a u64 fast field, largest first (reports without it last), then
/// by score, then by id so ties come out the same however the index was built.
fn top_by(top: TopDocs, field: &str) -> impl Collector<Fruit = Vec<(FieldScoreId, DocAddress)>> {
    top.order_by((
        (SortByStaticFastValue::<u64>::for_field(field), Order::Desc),
        (SortBySimilarityScore, Order::Desc),
        (
            SortByStaticFastValue::<u64>::for_field("id_order"),
            Order::Asc,
        ),
    ))
}
