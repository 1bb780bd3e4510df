//! The tantivy schema: every `Field` handle in one struct, built once.

use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TextAnalyzerBuilder, Tokenizer,
    TokenizerManager,
};
use tantivy::Index;

use crate::grams::{IndexGrams, QueryGrams};
use crate::stems::MemoStemmer;

/// Name of the English analyzer used by every full-text field: words
/// stemmed, plus common grams (see `grams`). The name changes whenever what
/// the analyzer emits changes, so an index built by another version no
/// longer matches the schema and is rebuilt (see `generations`).
pub const EN_STEM: &str = "en_stem_common_first_grams";

/// Field handles, resolved once so no code looks fields up by name.
#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    /// A stable 64-bit hash of the id: the tie-breaker when scores or sort
    /// keys are equal, so pages are stable and a rebuilt index orders like
    /// the incremental one (document addresses differ between the two).
    /// Cheaper to compare than the id text, which sorting would decompress.
    pub id_order: Field,
    // Full text, positions indexed so phrases work on every default field.
    pub title: Field,
    pub summary: Field,
    pub narrative: Field,
    pub root_causes: Field,
    pub lessons: Field,
    pub timeline: Field,
    pub amendments: Field,
    /// Technology, trigger and factor ids as words, so a search for
    /// `postgresql` finds a report tagged with it even if its text says `pg`.
    pub tags: Field,
    // Facets. `technology` is hierarchical (`/database/postgresql`) for
    // browsing by category; `tech` is flat (`/postgresql`) because filters and
    // counts are by id and must not need to know the category.
    pub technology: Field,
    pub tech: Field,
    pub trigger: Field,
    pub factor: Field,
    pub mitigation: Field,
    pub industry: Field,
    pub severity: Field,
    pub detection: Field,
    pub year: Field,
    // Fast fields for ranges and sorting.
    pub month: Field,
    pub ttd: Field,
    pub ttm: Field,
    pub ttr: Field,
    pub completeness: Field,
    /// Registry publication day as `YYYYMMDD`, for feeds (newest published first).
    pub published: Field,
    /// "YYYY-MM", stored only, to render a hit.
    pub month_text: Field,
}

impl Fields {
    /// The fields the query parser searches when none is named, with boosts.
    pub fn default_text_fields(&self) -> [(Field, f32); 8] {
        [
            (self.title, 3.0),
            (self.summary, 2.0),
            (self.narrative, 1.0),
            (self.root_causes, 1.0),
            (self.lessons, 1.0),
            (self.timeline, 1.0),
            (self.amendments, 1.0),
            (self.tags, 1.0),
        ]
    }
}

/// Builds the schema and returns it with its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(EN_STEM)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing);
    let stored_text = text.clone().set_stored();
    let facet = FacetOptions::default();
    let stored_facet = FacetOptions::default().set_stored();
    let fast = NumericOptions::default().set_fast().set_indexed();

    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        id_order: b.add_u64_field("id_order", FAST),
        title: b.add_text_field("title", stored_text.clone()),
        // Stored for snippets and for more-like-this.
        summary: b.add_text_field("summary", stored_text.clone()),
        narrative: b.add_text_field("narrative", stored_text.clone()),
        root_causes: b.add_text_field("root_causes", stored_text.clone()),
        lessons: b.add_text_field("lessons", stored_text),
        timeline: b.add_text_field("timeline", text.clone()),
        amendments: b.add_text_field("amendments", text.clone()),
        tags: b.add_text_field("tags", text),
        technology: b.add_facet_field("technology", facet.clone()),
        tech: b.add_facet_field("tech", stored_facet.clone()),
        trigger: b.add_facet_field("trigger", stored_facet.clone()),
        factor: b.add_facet_field("factor", facet.clone()),
        mitigation: b.add_facet_field("mitigation", facet.clone()),
        industry: b.add_facet_field("industry", facet.clone()),
        severity: b.add_facet_field("severity", stored_facet),
        detection: b.add_facet_field("detection", facet.clone()),
        year: b.add_facet_field("year", facet),
        month: b.add_u64_field("month", fast.clone()),
        ttd: b.add_u64_field("ttd", fast.clone()),
        ttm: b.add_u64_field("ttm", fast.clone()),
        ttr: b.add_u64_field("ttr", fast.clone()),
        completeness: b.add_u64_field("completeness", fast.clone()),
        published: b.add_u64_field("published", fast),
        month_text: b.add_text_field("month_text", STORED),
    };
    (b.build(), fields)
}

/// Registers the analyzer named in the schema. Tokenizers are not persisted
/// with the index, so this must run on every open.
pub fn register_tokenizers(index: &Index) {
    let analyzer = words().filter(IndexGrams).build();
    index.tokenizers().register(EN_STEM, analyzer);
}

/// The analyzers the query parser uses: the same words, with a phrase's
/// words replaced by their grams.
pub fn query_tokenizers() -> TokenizerManager {
    let tokenizers = TokenizerManager::default();
    tokenizers.register(EN_STEM, words().filter(QueryGrams).build());
    tokenizers
}

/// The words alone, without grams: for a phrase prefix (`"on ca"*`), which
/// needs two terms where its grams would leave one. Every word is indexed,
/// so such a phrase still matches; it is only not sped up.
pub fn word_tokenizers() -> TokenizerManager {
    let tokenizers = TokenizerManager::default();
    tokenizers.register(EN_STEM, words().build());
    tokenizers
}

fn words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(MemoStemmer)
}
