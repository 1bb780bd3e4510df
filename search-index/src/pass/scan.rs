//! Blank searches (no text, newest first) answered from each segment's
//! packed rows (see `stats::packed`) rather than by visiting every report.
//!
//! Without text, the general pass reaches reports through tantivy's
//! postings and orders them with the sort key collector: the registry's
//! front page visited every report for twenty, and browsing by a popular
//! facet visited a tenth to a third of the registry, a posting, a sort key
//! and a dozen counts at a time. Those were the slowest searches without
//! text. Here:
//! - the page is the first reports of `Packed::newest` (every report in
//!   the order of a blank search's hits) that pass the filters;
//! - with one facet filter, the total and every other facet's counts are
//!   sums of `Packed::pairs` over the values the filter accepts, and the
//!   filtered facet's are the whole segment's, as in the general pass;
//! - with two, each filtered facet's counts are sums over the other
//!   filter's values, and only the reports passing both (usually far fewer
//!   than those passing either, which the general pass visits) are visited
//!   for the total, the page and the other facets.
//!
//! A filter can be summed over when the reports it passes are those having
//! one of its values, each report counted once: any values of a
//! single-valued facet or of the month, one value of a multi-valued facet.
//! Other searches take the general pass.

use std::cmp::Reverse;
use std::sync::Arc;

use tantivy::{DocAddress, DocId, Executor, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::counting::{slot, Counting, Restriction, Test};
use super::FacetedPass;
use crate::facets::{self, FacetKind, Facets, Place};
use crate::query::{FilterClauses, Whole};
use crate::stats::{Columns, Packed};

/// The scores the general pass gives every hit of a blank search: its
/// `AllQuery`'s alone, or with filters, whose clauses score nothing, none.
const UNFILTERED_SCORE: Score = 1.0;
const FILTERED_SCORE: Score = 0.0;

pub(crate) enum Scanned {
    /// The whole answer.
    Answer {
        total: usize,
        page: Vec<(Score, DocAddress)>,
        facets: Facets,
    },
    /// The counts of the two filtered facets; the rest comes from the
    /// reports passing both filters, which the caller visits.
    TwoFacets(Facets),
}

/// A blank search, newest first, with `filters` (on facets only), when the
/// packed rows can answer it; `None` for the general pass.
pub(crate) fn scan(
    searcher: &Searcher,
    decoded: &[Option<Arc<Columns>>],
    filters: &FilterClauses,
    (offset, limit): (usize, usize),
    executor: &Executor,
) -> tantivy::Result<Option<Scanned>> {
    let readers = searcher.segment_readers();
    let Some(columns) = decoded
        .iter()
        .map(|c| {
            c.clone()
                .filter(|c| c.packed.as_ref().is_some_and(|p| !p.pairs.is_empty()))
        })
        .collect::<Option<Vec<Arc<Columns>>>>()
    else {
        return Ok(None);
    };
    if columns.len() != readers.len() {
        return Ok(None);
    }
    // Each segment's tests, one restriction per filtered facet, and the
    // values each accepts. The general pass builds the tests; it collects
    // nothing here, hence no collector.
    let pass = FacetedPass::new((), filters, decoded.to_vec(), Whole::None);
    let mut tests = Vec::with_capacity(columns.len());
    let mut values = Vec::with_capacity(columns.len());
    for (reader, c) in readers.iter().zip(&columns) {
        let counting = Counting::open(Some(c), reader)?;
        let restrictions = pass.restrictions(&counting, reader)?;
        let Some(accepted) = restrictions
            .iter()
            .map(|r| summable(r, &packed(c).layout))
            .collect::<Option<Vec<Vec<usize>>>>()
        else {
            return Ok(None);
        };
        tests.push(restrictions);
        values.push(accepted);
    }
    let filtered = tests.first().map_or(0, Vec::len);
    let score = if filtered == 0 {
        UNFILTERED_SCORE
    } else {
        FILTERED_SCORE
    };
    match filtered {
        0 | 1 => {}
        2 => {
            let facets = executor.map(
                |ord: usize| two_facets(&columns[ord], &readers[ord], &tests[ord], &values[ord]),
                0..readers.len(),
            )?;
            let kinds = tests[0].iter().map(|r| FacetKind::ALL[r.slot]);
            let two = facets::summed(kinds, facets);
            return Ok(Some(Scanned::TwoFacets(two)));
        }
        _ => return Ok(None),
    }

    // With one filter, the page comes from a walk: for a rare value, the
    // general pass is quicker.
    if filtered == 1 {
        let want = (offset + limit) as u64;
        let cheaper = columns.iter().zip(&tests).zip(&values).all(|((c, t), v)| {
            let p = packed(c);
            let passing = v[0].iter().map(|&r| documents_with(p, r)).sum();
            walk_is_cheaper(want, stretch(p, t).len() as u64, passing)
        });
        if !cheaper {
            return Ok(None);
        }
    }
    let counted = executor.map(
        |ord: usize| -> tantivy::Result<(usize, Facets)> {
            let reader = &readers[ord];
            let mut counting = Counting::open(Some(&columns[ord]), reader)?;
            let Some(r) = tests[ord].first() else {
                counting.count_whole(&FacetKind::ALL.map(slot), reader);
                let mut facets = Facets::new();
                counting.harvest(&mut facets);
                return Ok((reader.num_docs() as usize, facets));
            };
            counting.count_whole(&[r.slot], reader);
            let total = one_facet(&mut counting, &columns[ord], reader, r, &values[ord][0]);
            let mut facets = Facets::new();
            counting.harvest(&mut facets);
            Ok((total, facets))
        },
        0..readers.len(),
    )?;
    let total = counted.iter().map(|(n, _)| n).sum();
    let facets = facets::summed(FacetKind::ALL, counted.into_iter().map(|(_, f)| f));

    let want = offset + limit;
    let mut candidates: Vec<(PageKey, DocAddress)> = Vec::new();
    for (ord, reader) in readers.iter().enumerate() {
        let c = &columns[ord];
        let p = packed(c);
        let id_order = reader.fast_fields().u64("id_order")?;
        let key = |doc: DocId| -> PageKey {
            let month = match p.rows[doc as usize].month {
                0 => 0,
                slot => c.month.distinct[slot as usize - 1] + 1,
            };
            (Reverse(month), id_order.first(doc).unwrap_or(0))
        };
        candidates.extend(
            walk(p, reader, &tests[ord], want)
                .into_iter()
                .map(|d| (key(d), DocAddress::new(ord as SegmentOrdinal, d))),
        );
    }
    candidates.sort_unstable();
    let page = candidates
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, address)| (score, address))
        .collect();
    Ok(Some(Scanned::Answer {
        total,
        page,
        facets,
    }))
}

/// Newest month first (0, none, last), then `id_order`: a blank search's
/// order. The month is its value plus one, comparable across segments.
type PageKey = (Reverse<u32>, u64);

/// The rows of `Packed::pairs` whose values `r` accepts, if the reports it
/// passes are exactly those having one of them, each once.
fn summable(r: &Restriction, layout: &crate::stats::Layout) -> Option<Vec<usize>> {
    let [test] = r.tests.as_slice() else {
        return None;
    };
    let accepted = |offset: usize, accept: &[bool], from: usize| -> Vec<usize> {
        (from..accept.len())
            .filter(|&v| accept[v])
            .map(|v| offset + v)
            .collect()
    };
    match test {
        // Slot 0 is "none", which no filter accepts.
        Test::Single { i, accept } => Some(accepted(layout.single[*i], accept, 1)),
        Test::Month { accept } => Some(accepted(layout.month, accept, 1)),
        Test::Multi { i, accept } => {
            let values = accepted(layout.multi[*i], accept, 0);
            (values.len() <= 1).then_some(values)
        }
        Test::Ordinals { .. } | Test::MonthColumn { .. } => None,
    }
}

/// With one filter `r` (accepting `values`): adds to `counting` every other
/// facet's counts over the live reports `r` passes, and returns how many
/// those are.
fn one_facet(
    counting: &mut Counting,
    c: &Columns,
    reader: &SegmentReader,
    r: &Restriction,
    values: &[usize],
) -> usize {
    let p = packed(c);
    let own = FacetKind::ALL[r.slot].place();
    let Counting::Packed { single, multi, .. } = counting else {
        unreachable!("scanned segments have packed rows")
    };
    let mut total: u64 = values.iter().map(|&v| documents_with(p, v)).sum();
    for &v in values {
        add_pairs(single, multi, p, v, |place| place != own);
    }
    for doc in deleted(reader) {
        let row = &p.rows[doc as usize];
        if r.passes_row(p, row) {
            total -= 1;
            for place in PLACES.into_iter().filter(|&place| place != own) {
                uncount(single, multi, p, row, place);
            }
        }
    }
    total as usize
}

/// With two filters: each filtered facet's counts over the live reports the
/// other passes.
fn two_facets(
    c: &Arc<Columns>,
    reader: &SegmentReader,
    tests: &[Restriction],
    values: &[Vec<usize>],
) -> tantivy::Result<Facets> {
    let p = packed(c);
    let mut counting = Counting::open(Some(c), reader)?;
    let Counting::Packed { single, multi, .. } = &mut counting else {
        unreachable!("scanned segments have packed rows")
    };
    for (k, r) in tests.iter().enumerate() {
        let own = FacetKind::ALL[r.slot].place();
        let other = &tests[1 - k];
        for &v in &values[1 - k] {
            add_pairs(single, multi, p, v, |place| place == own);
        }
        for doc in deleted(reader) {
            let row = &p.rows[doc as usize];
            if other.passes_row(p, row) {
                uncount(single, multi, p, row, own);
            }
        }
    }
    let mut facets = Facets::new();
    counting.harvest(&mut facets);
    // Only the two filtered facets were counted.
    let names: Vec<&str> = tests
        .iter()
        .map(|r| FacetKind::ALL[r.slot].name())
        .collect();
    facets.retain(|name, _| names.contains(&name.as_str()));
    Ok(facets)
}

/// How many documents of the segment have the value of pairs row `v`: for
/// a counted value, its pair with itself.
fn documents_with(p: &Packed, v: usize) -> u64 {
    let l = &p.layout;
    match v.checked_sub(l.month) {
        Some(slot) => p.whole_month[slot],
        None => u64::from(p.pairs[v * l.width + v]),
    }
}

/// Adds row `v` of `Packed::pairs` to the counts of the facets `at` takes.
fn add_pairs(
    single: &mut [Vec<u64>; 5],
    multi: &mut [Vec<u64>; 3],
    p: &Packed,
    v: usize,
    at: impl Fn(Place) -> bool,
) {
    let l = &p.layout;
    let line = &p.pairs[v * l.width..(v + 1) * l.width];
    for (i, counts) in single.iter_mut().enumerate() {
        if at(Place::Single(i)) {
            let from = &line[l.single[i]..l.single[i] + counts.len()];
            counts
                .iter_mut()
                .zip(from)
                .for_each(|(n, &k)| *n += u64::from(k));
        }
    }
    for (i, counts) in multi.iter_mut().enumerate() {
        if at(Place::Multi(i)) {
            let from = &line[l.multi[i]..l.multi[i] + counts.len()];
            counts
                .iter_mut()
                .zip(from)
                .for_each(|(n, &k)| *n += u64::from(k));
        }
    }
}

/// Takes the row's values of the facet at `place` off the counts.
fn uncount(
    single: &mut [Vec<u64>; 5],
    multi: &mut [Vec<u64>; 3],
    p: &Packed,
    row: &crate::stats::Row,
    place: Place,
) {
    match place {
        Place::Single(i) => {
            let slot = row.single[i] as usize;
            // "None" is not in the pairs, so not counted there.
            if slot > 0 {
                single[i][slot] -= 1;
            }
        }
        Place::Multi(i) => {
            for &v in row.multi(&p.multi, i) {
                multi[i][v as usize] -= 1;
            }
        }
    }
}

/// The segment's withdrawn documents.
fn deleted(reader: &SegmentReader) -> impl Iterator<Item = DocId> + '_ {
    let alive = reader
        .alive_bitset()
        .filter(|_| reader.num_deleted_docs() > 0);
    (0..alive.map_or(0, |_| reader.max_doc()))
        .filter(move |&d| alive.is_some_and(|a| a.is_deleted(d)))
}

/// The first `want` live documents of `newest` that pass every test.
fn walk(p: &Packed, reader: &SegmentReader, tests: &[Restriction], want: usize) -> Vec<DocId> {
    let alive = reader.alive_bitset();
    p.newest[stretch(p, tests)]
        .iter()
        .copied()
        .filter(|&doc| alive.is_none_or(|a| a.is_alive(doc)))
        .filter(|&doc| tests.iter().all(|r| r.passes_row(p, &p.rows[doc as usize])))
        .take(want)
        .collect()
}

/// The part of `newest` a walk with `tests` reads. `newest` is in month
/// order, so with a month range only the stretch of the range's months:
/// a range in the past would otherwise walk past every newer report first.
fn stretch(p: &Packed, tests: &[Restriction]) -> std::ops::Range<usize> {
    let month = |doc: &u32| p.rows[*doc as usize].month as usize;
    tests
        .iter()
        .flat_map(|r| &r.tests)
        .find_map(|test| match test {
            Test::Month { accept } => Some(accept),
            _ => None,
        })
        .map_or(0..p.newest.len(), |accept| {
            // Slot 0 (no month) is never accepted.
            let newest = accept.iter().rposition(|&a| a).unwrap_or(0);
            let oldest = accept.iter().position(|&a| a).unwrap_or(usize::MAX);
            let start = p.newest.partition_point(|d| month(d) > newest);
            let end = p.newest.partition_point(|d| month(d) >= oldest);
            start..end.max(start)
        })
}

/// Whether walking for a page of `want` is cheaper than the general pass's
/// visit of the `passing` reports, for a walk over `stretch` documents of
/// which `passing` pass (spread evenly, it reads `want * stretch / passing`
/// of them). A rare filter value is faster through its postings: walking a
/// million reports for the five that have it took milliseconds. A read of
/// a row costs about an eighth of a visit; below `SHORT_WALK` rows either
/// is quick.
fn walk_is_cheaper(want: u64, stretch: u64, passing: u64) -> bool {
    const ROWS_PER_VISIT: u64 = 8;
    const SHORT_WALK: u64 = 4_096;
    let rows = want
        .saturating_mul(stretch)
        .checked_div(passing)
        .map_or(stretch, |rows| rows.min(stretch));
    rows <= SHORT_WALK || rows <= passing.saturating_mul(ROWS_PER_VISIT)
}

/// Where every facet sits in a row.
const PLACES: [Place; 8] = [
    Place::Single(0),
    Place::Single(1),
    Place::Single(2),
    Place::Single(3),
    Place::Single(4),
    Place::Multi(0),
    Place::Multi(1),
    Place::Multi(2),
];

fn packed(c: &Columns) -> &Packed {
    c.packed
        .as_ref()
        .expect("scanned segments have packed rows")
}

#[cfg(test)]
mod tests {
    use tantivy::query::AllQuery;

    use crate::query::{FilterClauses, Filters, Sort};
    use crate::{IndexOp, IndexedReport, SearchIndex};

    const TECHS: [&str; 5] = ["postgresql", "redis", "kafka", "nginx", "mysql"];
    const FACTORS: [&str; 4] = ["missing-monitoring", "misconfiguration", "capacity", "a"];
    const SEVERITIES: [&str; 3] = ["sev1", "sev2", "sev3"];

    /// A varied report from a counter: some facets absent, several values
    /// of the multi-valued ones, some months withheld, months repeating so
    /// ties on the month are common.
    fn report(n: u64) -> IndexedReport {
        let pick = |k: u64, m: u64| (n.wrapping_mul(k) >> 3) % m;
        IndexedReport {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            title: format!("report {n}"),
            technologies: (0..pick(7, 3))
                .map(|i| TECHS[((n + i * 2) % 5) as usize])
                .map(|t| ("database".to_string(), t.to_string()))
                .collect(),
            trigger: (pick(11, 4) > 0)
                .then(|| ["deploy", "config-change", "load"][pick(13, 3) as usize].into()),
            contributing_factors: (0..pick(17, 3))
                .map(|i| FACTORS[((n + i) % 4) as usize].to_string())
                .collect(),
            mitigations: (pick(19, 2) == 0)
                .then(|| "rollback".to_string())
                .into_iter()
                .collect(),
            industry: (pick(23, 5) > 0).then(|| ["saas", "fintech"][pick(29, 2) as usize].into()),
            severity: (pick(31, 4) > 0).then(|| SEVERITIES[pick(37, 3) as usize].into()),
            detection: (pick(41, 3) > 0).then(|| "customer-report".into()),
            month: (pick(43, 6) > 0)
                .then(|| format!("{}-{:02}", 2019 + pick(47, 5), 1 + pick(53, 12))),
            year: Some(format!("{}", 2019 + pick(59, 5))),
            ..Default::default()
        }
    }

    fn filter_sets() -> Vec<Filters> {
        let s = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut out = vec![Filters::default()];
        let singles: Vec<Filters> = vec![
            Filters {
                tech: s(&["redis"]),
                ..Default::default()
            },
            Filters {
                tech: s(&["redis", "kafka"]),
                ..Default::default()
            },
            Filters {
                trigger: s(&["deploy"]),
                ..Default::default()
            },
            Filters {
                factor: s(&["capacity"]),
                ..Default::default()
            },
            Filters {
                mitigation: s(&["rollback"]),
                ..Default::default()
            },
            Filters {
                industry: s(&["fintech"]),
                ..Default::default()
            },
            Filters {
                severity: s(&["sev1", "sev2"]),
                ..Default::default()
            },
            Filters {
                detection: s(&["customer-report"]),
                ..Default::default()
            },
            Filters {
                year: s(&["2021", "2023"]),
                ..Default::default()
            },
            Filters {
                from_month: Some("2020-06".into()),
                to_month: Some("2022-03".into()),
                ..Default::default()
            },
            Filters {
                to_month: Some("2020-12".into()),
                year: s(&["2020"]),
                ..Default::default()
            },
            Filters {
                tech: s(&["no-such-tech"]),
                ..Default::default()
            },
        ];
        out.extend(singles.iter().cloned());
        // A range narrow enough that a page holds all of it, to its oldest
        // month, and one open at the start.
        out.push(Filters {
            from_month: Some("2021-02".into()),
            to_month: Some("2021-04".into()),
            ..Default::default()
        });
        out.push(Filters {
            to_month: Some("2019-05".into()),
            ..Default::default()
        });
        // Every pair and a few triples: OR within a facet, AND across.
        for (i, a) in singles.iter().enumerate() {
            for b in &singles[i + 1..] {
                out.push(merge(a, b));
            }
        }
        out.push(merge(&merge(&singles[0], &singles[6]), &singles[9]));
        out.push(merge(&merge(&singles[2], &singles[5]), &singles[7]));
        out
    }

    fn merge(a: &Filters, b: &Filters) -> Filters {
        let join = |x: &Vec<String>, y: &Vec<String>| {
            let mut v = x.clone();
            v.extend(y.iter().filter(|s| !x.contains(s)).cloned());
            v
        };
        Filters {
            tech: join(&a.tech, &b.tech),
            trigger: join(&a.trigger, &b.trigger),
            factor: join(&a.factor, &b.factor),
            mitigation: join(&a.mitigation, &b.mitigation),
            industry: join(&a.industry, &b.industry),
            severity: join(&a.severity, &b.severity),
            detection: join(&a.detection, &b.detection),
            year: join(&a.year, &b.year),
            from_month: a.from_month.clone().or(b.from_month.clone()),
            to_month: a.to_month.clone().or(b.to_month.clone()),
            ..Default::default()
        }
    }

    /// A page of a common value is walked for; one of a value a handful of
    /// a million reports have is not (its postings are quicker); a short
    /// walk always is.
    #[test]
    fn a_walk_is_taken_only_when_it_is_short() {
        use super::walk_is_cheaper;
        assert!(walk_is_cheaper(20, 1_000_000, 128_000));
        assert!(walk_is_cheaper(20, 1_000_000, 1_000_000));
        assert!(!walk_is_cheaper(20, 1_000_000, 5));
        assert!(!walk_is_cheaper(20, 1_000_000, 0));
        assert!(walk_is_cheaper(20, 3_000, 0));
        // A deep page of a mid-sized value: 10,000 of 50,000 spread over a
        // million is 200,000 rows read against 50,000 visits.
        assert!(walk_is_cheaper(10_000, 1_000_000, 50_000));
        assert!(!walk_is_cheaper(10_000, 1_000_000, 20_000));
    }

    /// The rows answer exactly as the general pass does: the same total,
    /// the same page in the same order, the same counts for every facet,
    /// over several segments with withdrawn reports in them, on the first
    /// page, a later one, and one past the end.
    #[test]
    fn blank_searches_from_the_rows_answer_as_the_general_pass_does() {
        let dir = tempfile::TempDir::new().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let mut event = 0;
        for batch in 0..4u64 {
            let ops: Vec<IndexOp> = (batch * 700..(batch + 1) * 700)
                .map(|n| IndexOp::Upsert(report(n)))
                .collect();
            index.apply(&ops).unwrap();
            event += 1;
            index.commit(event).unwrap();
        }
        // Withdrawn reports stay in their segments, marked deleted.
        let withdrawn: Vec<IndexOp> = (0..2800)
            .step_by(9)
            .map(|n| IndexOp::Delete(report(n).id))
            .collect();
        index.apply(&withdrawn).unwrap();
        index.commit(event + 1).unwrap();
        index.warm_stats().unwrap();
        let searcher = index.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);
        assert!(searcher
            .segment_readers()
            .iter()
            .any(|r| r.num_deleted_docs() > 0));
        let decoded = index.stats_columns.decoded(&searcher);
        assert!(decoded
            .iter()
            .all(|c| c.as_ref().is_some_and(|c| c.packed.is_some())));

        let (mut compared, mut scanned) = (0, 0);
        for filters in filter_sets() {
            let clauses = FilterClauses::build(&filters, &index.fields).unwrap();
            for window in [(0, 20), (40, 25), (0, 100), (300, 100), (5000, 10)] {
                let general = index
                    .general(
                        &searcher,
                        &AllQuery,
                        true,
                        &clauses,
                        decoded.clone(),
                        Sort::Newest,
                        window,
                    )
                    .unwrap();
                compared += 1;
                let Some((total, page, facets)) =
                    index.blank(&searcher, &clauses, &decoded, window).unwrap()
                else {
                    continue;
                };
                scanned += 1;
                assert_eq!(total, general.0, "total of {filters:?}");
                assert_eq!(page, general.1, "page {window:?} of {filters:?}");
                assert_eq!(facets, general.2, "facets of {filters:?}");
            }
        }
        // Unfiltered, one filter and two filters that can be summed over
        // (most of the sets) take the rows; the rest must not.
        assert!(scanned > 150, "{scanned} of {compared} scanned");
        assert!(scanned < compared);
    }
}
