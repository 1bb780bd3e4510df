//! Counting one segment's matching documents into dense arrays indexed by
//! the segment's own value indices (no hashing, no strings per document);
//! indices become names once per segment, in `Tally::harvest`.

use std::collections::BTreeMap;

use super::columns::{Columns, FLAT, NONE};
use super::{DurationSamples, Histogram, RawStats, MEASURES};

/// Duration counts of one measure: per group (overall, each trigger, each
/// category) how many documents have each distinct value.
enum Durations {
    /// `counts[group * distinct + rank]`, when that table is small.
    Dense { distinct: usize, counts: Vec<u32> },
    /// Per group the ranks seen, when a table per group would be large
    /// beside the documents counted.
    Ranks {
        distinct: usize,
        groups: Vec<Vec<u32>>,
    },
}

impl Durations {
    fn new(groups: usize, distinct: usize, docs: usize) -> Durations {
        let cells = groups * distinct;
        // A document adds to about five groups; a table up to a few times
        // that size costs less to clear and read than ranks cost to count.
        if cells <= (16 * docs).max(4096) && cells <= 1 << 22 {
            Durations::Dense {
                distinct,
                counts: vec![0; cells],
            }
        } else {
            Durations::Ranks {
                distinct,
                groups: vec![Vec::new(); groups],
            }
        }
    }

    #[inline]
    fn add(&mut self, group: usize, rank: u32) {
        match self {
            Durations::Dense { distinct, counts } => counts[group * *distinct + rank as usize] += 1,
            Durations::Ranks { groups, .. } => groups[group].push(rank),
        }
    }

    fn absorb(&mut self, other: Durations) {
        match (self, other) {
            (Durations::Dense { counts, .. }, Durations::Dense { counts: more, .. }) => {
                counts.iter_mut().zip(more).for_each(|(a, b)| *a += b)
            }
            (Durations::Ranks { groups, .. }, Durations::Ranks { groups: more, .. }) => {
                groups.iter_mut().zip(more).for_each(|(a, b)| a.extend(b))
            }
            // Both halves of a segment choose alike (same sizes); mixed
            // forms cannot arise, but stay correct if they did.
            (this, other) => {
                let groups = other.into_group_counts();
                for (group, pairs) in groups.into_iter().enumerate() {
                    for (rank, n) in pairs {
                        for _ in 0..n {
                            this.add(group, rank);
                        }
                    }
                }
            }
        }
    }

    /// Per group, (rank, count) in ascending rank order.
    fn into_group_counts(self) -> Vec<Vec<(u32, u64)>> {
        match self {
            Durations::Dense { distinct, counts } => counts
                .chunks(distinct.max(1))
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .filter(|(_, &n)| n > 0)
                        .map(|(rank, &n)| (rank as u32, u64::from(n)))
                        .collect()
                })
                .collect(),
            Durations::Ranks { distinct, groups } => {
                // Counted in one table of the distinct values, reused for
                // every group: no sorting.
                let mut seen = vec![0u64; distinct];
                groups
                    .into_iter()
                    .map(|ranks| {
                        if ranks.is_empty() {
                            return Vec::new();
                        }
                        for &r in &ranks {
                            seen[r as usize] += 1;
                        }
                        let mut out = Vec::new();
                        for (rank, n) in seen.iter_mut().enumerate() {
                            if *n > 0 {
                                out.push((rank as u32, *n));
                                *n = 0;
                            }
                        }
                        out
                    })
                    .collect()
            }
        }
    }
}

/// Counts over some of one segment's documents.
pub(crate) struct Tally<'a> {
    c: &'a Columns,
    total: u64,
    technology: Vec<u32>,
    category: Vec<u32>,
    flat: [Vec<u32>; 7],
    months: Vec<u32>,
    /// Row-major on technology index.
    technology_trigger: Vec<u32>,
    technology_factor: Vec<u32>,
    technology_pairs: Vec<u32>,
    durations: [Durations; 3],
    cats: Vec<u32>,
}

impl<'a> Tally<'a> {
    /// An empty tally for up to `docs` documents of the segment `c`.
    pub(crate) fn new(c: &'a Columns, docs: usize) -> Tally<'a> {
        let nt = c.technologies.len();
        let ntr = c.flat[0].names.len();
        let nf = c.flat[1].names.len();
        let groups = 1 + ntr + c.categories.len();
        Tally {
            c,
            total: 0,
            technology: vec![0; nt],
            category: vec![0; c.categories.len()],
            flat: std::array::from_fn(|i| vec![0; c.flat[i].names.len()]),
            months: vec![0; c.month.distinct.len()],
            technology_trigger: vec![0; nt * ntr],
            technology_factor: vec![0; nt * nf],
            technology_pairs: vec![0; nt * nt],
            durations: std::array::from_fn(|m| {
                Durations::new(groups, c.measures[m].distinct.len(), docs)
            }),
            cats: Vec::new(),
        }
    }

    /// Counts the documents `docs` (ids within the segment).
    pub(crate) fn add(&mut self, docs: &[u32]) {
        let c = self.c;
        let nt = c.technologies.len();
        let ntr = c.flat[0].names.len();
        let nf = c.flat[1].names.len();
        for &doc in docs {
            let d = doc as usize;
            self.total += 1;
            let techs = c.technology.of(d);
            self.cats.clear();
            for &t in techs {
                self.technology[t as usize] += 1;
                let category = c.technology_category[t as usize];
                if !self.cats.contains(&category) {
                    self.cats.push(category);
                    self.category[category as usize] += 1;
                }
            }
            for (i, &a) in techs.iter().enumerate() {
                for &b in &techs[i + 1..] {
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    self.technology_pairs[lo as usize * nt + hi as usize] += 1;
                }
            }
            let trigger = c.flat[0].values.of(d).first().copied();
            if let Some(tr) = trigger {
                self.flat[0][tr as usize] += 1;
                for &t in techs {
                    self.technology_trigger[t as usize * ntr + tr as usize] += 1;
                }
            }
            for &f in c.flat[1].values.of(d) {
                self.flat[1][f as usize] += 1;
                for &t in techs {
                    self.technology_factor[t as usize * nf + f as usize] += 1;
                }
            }
            for i in 2..7 {
                for &v in c.flat[i].values.of(d) {
                    self.flat[i][v as usize] += 1;
                }
            }
            let month = c.month.rank[d];
            if month != NONE {
                self.months[month as usize] += 1;
            }
            for m in 0..3 {
                let rank = c.measures[m].rank[d];
                if rank == NONE {
                    continue;
                }
                let durations = &mut self.durations[m];
                durations.add(0, rank);
                if let Some(tr) = trigger {
                    durations.add(1 + tr as usize, rank);
                }
                for &category in &self.cats {
                    durations.add(1 + ntr + category as usize, rank);
                }
            }
        }
    }

    /// Adds another tally of the same segment.
    pub(crate) fn absorb(&mut self, other: Tally<'_>) {
        fn sum(a: &mut [u32], b: &[u32]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.total += other.total;
        sum(&mut self.technology, &other.technology);
        sum(&mut self.category, &other.category);
        for (a, b) in self.flat.iter_mut().zip(&other.flat) {
            sum(a, b);
        }
        sum(&mut self.months, &other.months);
        sum(&mut self.technology_trigger, &other.technology_trigger);
        sum(&mut self.technology_factor, &other.technology_factor);
        sum(&mut self.technology_pairs, &other.technology_pairs);
        for (a, b) in self.durations.iter_mut().zip(other.durations) {
            a.absorb(b);
        }
    }

    /// The counts under their names.
    pub(crate) fn harvest(self) -> RawStats {
        let c = self.c;
        let named = |counts: &[u32], names: &[String]| -> BTreeMap<String, u64> {
            counts
                .iter()
                .zip(names)
                .filter(|(&n, _)| n > 0)
                .map(|(&n, name)| (name.clone(), u64::from(n)))
                .collect()
        };
        let mut counts = BTreeMap::new();
        counts.insert("technology", named(&self.technology, &c.technologies));
        counts.insert("category", named(&self.category, &c.categories));
        for (i, (_, name)) in FLAT.iter().enumerate() {
            counts.insert(*name, named(&self.flat[i], &c.flat[i].names));
        }
        let months = self
            .months
            .iter()
            .zip(&c.month.distinct)
            .filter(|(&n, _)| n > 0)
            .map(|(&n, &m)| (u64::from(m), u64::from(n)))
            .collect();
        let cells = |table: &[u32], names: &[String]| -> BTreeMap<(String, String), u64> {
            let width = names.len().max(1);
            table
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(cell, &n)| {
                    let key = (
                        c.technologies[cell / width].clone(),
                        names[cell % width].clone(),
                    );
                    (key, u64::from(n))
                })
                .collect()
        };
        let technology_trigger = cells(&self.technology_trigger, &c.flat[0].names);
        let technology_factor = cells(&self.technology_factor, &c.flat[1].names);
        // Pairs in name order: indices follow facet order, which is name
        // order within a category but not across categories.
        let technology_pairs = cells(&self.technology_pairs, &c.technologies)
            .into_iter()
            .map(|((a, b), n)| if a <= b { ((a, b), n) } else { ((b, a), n) })
            .collect();
        let ntr = c.flat[0].names.len();
        let durations = self
            .durations
            .into_iter()
            .enumerate()
            .map(|(m, d)| {
                let distinct = &c.measures[m].distinct;
                let histogram = |pairs: Vec<(u32, u64)>| {
                    Histogram::from_sorted(
                        pairs
                            .into_iter()
                            .map(|(rank, n)| (distinct[rank as usize], n))
                            .collect(),
                    )
                };
                let mut groups = d.into_group_counts().into_iter().map(histogram);
                let overall = groups.next().unwrap_or_default();
                let mut samples = DurationSamples {
                    overall,
                    ..Default::default()
                };
                for (g, h) in groups.enumerate() {
                    if h.is_empty() {
                        continue;
                    }
                    if g < ntr {
                        samples.by_trigger.insert(c.flat[0].names[g].clone(), h);
                    } else {
                        samples.by_category.insert(c.categories[g - ntr].clone(), h);
                    }
                }
                (MEASURES[m], samples)
            })
            .collect();
        RawStats {
            total: self.total,
            counts,
            months,
            durations,
            technology_trigger,
            technology_factor,
            technology_pairs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Durations;

    /// Both forms count alike; which one a request gets depends on sizes.
    #[test]
    fn dense_and_rank_forms_agree() {
        let adds = [(0, 3), (0, 1), (2, 3), (0, 3), (1, 0), (2, 3), (2, 4)];
        let (groups, distinct) = (3, 5);
        let mut dense = Durations::Dense {
            distinct,
            counts: vec![0; groups * distinct],
        };
        let mut ranks = Durations::Ranks {
            distinct,
            groups: vec![Vec::new(); groups],
        };
        let mut halves = (
            Durations::Ranks {
                distinct,
                groups: vec![Vec::new(); groups],
            },
            Durations::Dense {
                distinct,
                counts: vec![0; groups * distinct],
            },
        );
        for (i, &(group, rank)) in adds.iter().enumerate() {
            dense.add(group, rank);
            ranks.add(group, rank);
            if i % 2 == 0 {
                halves.0.add(group, rank);
            } else {
                halves.1.add(group, rank);
            }
        }
        halves.0.absorb(halves.1);
        let expected = vec![vec![(1, 1), (3, 2)], vec![(0, 1)], vec![(3, 2), (4, 1)]];
        assert_eq!(dense.into_group_counts(), expected);
        assert_eq!(ranks.into_group_counts(), expected);
        assert_eq!(halves.0.into_group_counts(), expected);
    }
}
