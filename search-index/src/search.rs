//! Running a `SearchQuery`: hits, total and facet counts in one pass, plus
//! one pass per facet whose own filter is set.

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::{DocAddress, Executor, Order, Score, Searcher};

use crate::error::SearchError;
use crate::facets::{FacetCounter, FacetKind, Facets};
use crate::hit::{Hit, HitRenderer};
use crate::index::SearchIndex;
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

        // Facets without a filter of their own are counted in the main pass.
        let shared: Vec<FacetKind> = FacetKind::ALL
            .into_iter()
            .filter(|k| !filters.restricts(*k))
            .collect();
        let main = filters.combine(base.as_ref(), None);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let sort = match (q.sort, &text) {
            (Sort::Relevance, None) => Sort::Newest,
            (sort, _) => sort,
        };
        let pass = match sort {
            // Ties (common: equal BM25 for near-identical reports) go by
            // `id_order`, so pages are stable and a rebuilt index orders
            // like the incremental one, whatever the document addresses.
            Sort::Relevance => main_pass(
                &searcher,
                main.as_ref(),
                top.order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (
                        SortByStaticFastValue::<u64>::for_field("id_order"),
                        Order::Asc,
                    ),
                )),
                |docs| {
                    docs.into_iter()
                        .map(|((score, _), address)| (score, address))
                        .collect()
                },
                FacetCounter::new(shared.clone(), decoded.clone()),
                &self.executor,
            )?,
            Sort::Newest => main_pass(
                &searcher,
                main.as_ref(),
                by_field_then_score(top, "month"),
                strip_key,
                FacetCounter::new(shared.clone(), decoded.clone()),
                &self.executor,
            )?,
            Sort::Longest => main_pass(
                &searcher,
                main.as_ref(),
                by_field_then_score(top, "ttr"),
                strip_key,
                FacetCounter::new(shared.clone(), decoded.clone()),
                &self.executor,
            )?,
            Sort::Published => main_pass(
                &searcher,
                main.as_ref(),
                by_field_then_score(top, "published"),
                strip_key,
                FacetCounter::new(shared.clone(), decoded.clone()),
                &self.executor,
            )?,
        };
        let (total, scored, mut facets) = pass;
        for kind in FacetKind::ALL.into_iter().filter(|k| filters.restricts(*k)) {
            let query = filters.combine(base.as_ref(), Some(kind));
            let counter = FacetCounter::new(vec![kind], decoded.clone());
            let mut counts = searcher.search_with_executor(
                query.as_ref(),
                &counter,
                &self.executor,
                EnableScoring::disabled_from_searcher(&searcher),
            )?;
            facets.append(&mut counts);
        }

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

type Pass = (usize, Vec<(Score, DocAddress)>, Facets);

/// Count, top documents and the shared facets, collected in one search,
/// the segments spread over the cores.
fn main_pass<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    top: C,
    to_scored: impl Fn(C::Fruit) -> Vec<(Score, DocAddress)>,
    facets: FacetCounter,
    executor: &Executor,
) -> Result<Pass, SearchError> {
    // A tuple collector: one pass, no dynamic dispatch per document.
    let collector = (Count, top, facets);
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let (count, top, facets) =
        searcher.search_with_executor(query, &collector, executor, scoring)?;
    Ok((count, to_scored(top), facets))
}

type FieldScoreId = (Option<u64>, Score, Option<u64>);

/// Orders by a u64 fast field, largest first (reports without it last), then
/// by score, then by id so ties come out the same however the index was built.
fn by_field_then_score(
    top: TopDocs,
    field: &str,
) -> impl Collector<Fruit = Vec<(FieldScoreId, DocAddress)>> {
    top.order_by((
        (SortByStaticFastValue::<u64>::for_field(field), Order::Desc),
        (SortBySimilarityScore, Order::Desc),
        (
            SortByStaticFastValue::<u64>::for_field("id_order"),
            Order::Asc,
        ),
    ))
}

fn strip_key(docs: Vec<(FieldScoreId, DocAddress)>) -> Vec<(Score, DocAddress)> {
    docs.into_iter()
        .map(|((_, score, _), address)| (score, address))
        .collect()
}
