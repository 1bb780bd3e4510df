//! Running a `SearchQuery`: hits, total and facet counts in one pass (see
//! `pass`), then the hits rendered.

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, TopDocs};
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::{DocAddress, Executor, Order, Score, Searcher};

use crate::error::SearchError;
use crate::facets::Facets;
use crate::hit::{Hit, HitRenderer};
use crate::index::SearchIndex;
use crate::pass::FacetedPass;
use crate::query::{FilterClauses, SearchQuery, Sort};

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

        let (query, whole) = filters.unfaceted(base.as_ref(), text.is_none());
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let sort = match (q.sort, &text) {
            (Sort::Relevance, None) => Sort::Newest,
            (sort, _) => sort,
        };
        let (total, scored, facets) = match sort {
            // Ties (common: equal BM25 for near-identical reports) go by
            // `id_order`, so pages are stable and a rebuilt index orders
            // like the incremental one, whatever the document addresses.
            Sort::Relevance => {
                let (total, docs, facets) = run(
                    &searcher,
                    query.as_ref(),
                    &FacetedPass::new(
                        top.order_by((
                            (SortBySimilarityScore, Order::Desc),
                            (
                                SortByStaticFastValue::<u64>::for_field("id_order"),
                                Order::Asc,
                            ),
                        )),
                        &filters,
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
                let pass = FacetedPass::new(top_by(top, field), &filters, decoded, whole);
                let (total, docs, facets) = run(&searcher, query.as_ref(), &pass, &self.executor)?;
                let scored: Vec<_> = docs
                    .into_iter()
                    .map(|((_, score, _), address)| (score, address))
                    .collect();
                (total, scored, facets)
            }
        };

        // Rendering (a stored document read and a snippet, which tokenises
        // and stems the field's text) costs more than the matching at the
        // median; hits are independent, so every core renders some.
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
