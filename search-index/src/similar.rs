//! "Similar incidents": more-like-this on a report's text, nudged towards
//! reports that share its technologies and trigger.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::SearchError;
use crate::hit::{Hit, HitRenderer};
use crate::index::SearchIndex;

/// Words that say nothing about an incident but are frequent in every one.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "had", "has", "have", "in",
    "into", "is", "it", "its", "of", "on", "or", "that", "the", "then", "this", "to", "wa", "was",
    "were", "which", "with", "we", "our", "after", "when", "not", "no", "all",
];

/// Weights of a shared technology and a shared trigger relative to the text
/// (each is also scaled by its rarity). Sharing a stack is what makes another
/// incident useful to read; a trigger as common as `deploy` says less.
const TECH_BOOST: f32 = 2.0;
const TRIGGER_BOOST: f32 = 1.0;

impl SearchIndex {
    /// Up to `limit` reports most like report `id`, best first, never `id`
    /// itself. Empty if `id` is not in the index.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let id_term = Term::from_field_text(f.id, id);
        let found = searcher.search(
            &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some(&(_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let doc: TantivyDocument = searcher.doc(address)?;

        let text_fields = [f.title, f.summary, f.narrative, f.root_causes, f.lessons];
        let doc_fields = text_fields
            .iter()
            .map(|&field| {
                let values = doc
                    .get_all(field)
                    .filter_map(|v| v.as_str().map(|s| OwnedValue::Str(s.to_string())))
                    .collect();
                (field, values)
            })
            .collect();
        // Common grams (`on_call`, see `grams`) are rarer than any word and
        // would crowd the words out of the query, yet say no more than the
        // words they join: they are stop words here.
        let mut stop_words: Vec<String> = STOP_WORDS.iter().map(|s| s.to_string()).collect();
        for &field in &text_fields {
            let mut analyzer = self.index.tokenizer_for_field(field)?;
            for value in doc.get_all(field).filter_map(|v| v.as_str()) {
                analyzer.token_stream(value).process(&mut |t| {
                    if t.text.contains('_') {
                        stop_words.push(t.text.clone());
                    }
                });
            }
        }
        // Terms in more than half the reports say nothing about this one.
        let max_df = (searcher.num_docs() / 2).max(2);
        let mlt = MoreLikeThisQuery::builder()
            // A term only this report has finds nothing else, yet it has the
            // highest idf and would crowd useful terms out of the query.
            .with_min_doc_frequency(2)
            .with_max_doc_frequency(max_df)
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(40)
            .with_stop_words(stop_words)
            .with_document_fields(doc_fields);

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, Box::new(mlt)),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(id_term, IndexRecordOption::Basic)),
            ),
        ];
        // A shared technology or trigger counts by its rarity (BM25 idf).
        let tags = doc.get_all(f.tech).map(|v| (f.tech, TECH_BOOST, v)).chain(
            doc.get_all(f.trigger)
                .map(|v| (f.trigger, TRIGGER_BOOST, v)),
        );
        for (field, boost, value) in tags {
            if let Some(encoded) = value.as_facet() {
                let facet = tantivy::schema::Facet::from_encoded(encoded.as_bytes().to_vec())
                    .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
                let term =
                    TermQuery::new(Term::from_facet(field, &facet), IndexRecordOption::Basic);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), boost)),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let renderer = HitRenderer::new(&searcher, f, None)?;
        Ok(top
            .into_iter()
            .map(|(score, address)| renderer.render(&searcher, address, score))
            .collect::<Result<_, _>>()?)
    }
}
