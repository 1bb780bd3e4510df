//! Turning a matched document into what a result list shows, rendered from
//! stored fields alone so a search never touches the database.

use serde::Serialize;
use tantivy::query::Query;
use tantivy::schema::{Facet, Field, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

use crate::schema::Fields;

/// Characters of context around the best-matching passage.
const SNIPPET_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    /// "YYYY-MM".
    pub month: Option<String>,
    /// "YYYY": the incident year, also when the month was withheld.
    pub year: Option<String>,
    /// Technology ids.
    pub technologies: Vec<String>,
    pub trigger: Option<String>,
    pub severity: Option<String>,
    pub score: Score,
    /// HTML: matched words in `<mark>`, everything else escaped.
    pub snippet: String,
}

pub struct HitRenderer<'a> {
    fields: &'a Fields,
    /// One per field a snippet may come from (narrative, summary, root
    /// causes, lessons, in that order): the first with a match wins.
    generators: Vec<SnippetGenerator>,
}

impl<'a> HitRenderer<'a> {
    pub fn new(
        searcher: &Searcher,
        fields: &'a Fields,
        text: Option<&dyn Query>,
    ) -> tantivy::Result<HitRenderer<'a>> {
        let mut generators = Vec::new();
        if let Some(query) = text {
            // A report found by its root causes or lessons alone shows
            // where it matched, not an unmarked summary. The timeline and
            // amendments are not stored, so they cannot give a snippet.
            for field in [
                fields.narrative,
                fields.summary,
                fields.root_causes,
                fields.lessons,
            ] {
                let mut generator = SnippetGenerator::create(searcher, query, field)?;
                generator.set_max_num_chars(SNIPPET_CHARS);
                generators.push(generator);
            }
        }
        Ok(HitRenderer { fields, generators })
    }

    pub fn render(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: Score,
    ) -> tantivy::Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = self.fields;
        let snippet = self
            .generators
            .iter()
            .map(|g| g.snippet_from_doc(&doc))
            .find(|s| !s.is_empty())
            .map_or_else(
                || escape_start(&text(&doc, f.summary).unwrap_or_default()),
                mark,
            );
        Ok(Hit {
            id: text(&doc, f.id).unwrap_or_default(),
            title: text(&doc, f.title).unwrap_or_default(),
            month: text(&doc, f.month_text),
            year: year(searcher, address),
            technologies: doc
                .get_all(f.tech)
                .filter_map(|v| facet_value(v.as_facet()))
                .collect(),
            trigger: doc
                .get_first(f.trigger)
                .and_then(|v| facet_value(v.as_facet())),
            severity: doc
                .get_first(f.severity)
                .and_then(|v| facet_value(v.as_facet())),
            score,
            snippet,
        })
    }
}

/// The year facet is not stored; its column holds it.
fn year(searcher: &Searcher, address: DocAddress) -> Option<String> {
    let reader = searcher
        .segment_reader(address.segment_ord)
        .facet_reader("year")
        .ok()?;
    let ord = reader.facet_ords(address.doc_id).next()?;
    let mut facet = Facet::root();
    reader.facet_from_ord(ord, &mut facet).ok()?;
    facet.to_path().first().map(|s| s.to_string())
}

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The value of a one-level facet as stored (`/redis` → `redis`).
fn facet_value(encoded: Option<&str>) -> Option<String> {
    let facet = Facet::from_encoded(encoded?.as_bytes().to_vec()).ok()?;
    facet.to_path().first().map(|s| s.to_string())
}

/// `Snippet::to_html` escapes everything outside the highlights; only the
/// highlight tags change.
fn mark(mut snippet: Snippet) -> String {
    snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
    snippet.to_html()
}

/// The start of `text`, cut at a word boundary, HTML-escaped: the snippet
/// when nothing was searched for or nothing matched the stored text.
pub fn escape_start(text: &str) -> String {
    let cut = if text.len() <= SNIPPET_CHARS {
        text
    } else {
        let mut end = SNIPPET_CHARS;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let head = &text[..end];
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    let mut out = String::with_capacity(cut.len() + 8);
    for c in cut.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    if cut.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_start;

    #[test]
    fn escapes_and_cuts_at_a_word() {
        assert_eq!(
            escape_start("<script>x</script> & 'y'"),
            "&lt;script&gt;x&lt;/script&gt; &amp; &#x27;y&#x27;"
        );
        let long = "word ".repeat(100);
        let cut = escape_start(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.len() <= 200 + '…'.len_utf8());
    }
}
