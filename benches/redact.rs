//! Redaction throughput and recall, beside Microsoft Presidio on the same
//! data in the same run.
//!
//! Throughput is measured on the real postmortems of the public corpus
//! beside the repository (`../shared/corpus/full-texts.jsonl`, the text the
//! registry receives), on the labelled passages (dense with identifiers by
//! design), and on both together; Presidio on the real postmortems.
//!
//! `cargo bench --bench redact`. Presidio runs from a virtualenv under
//! `target/presidio-venv`, created from `bench/presidio/requirements.txt`
//! (PyPI only) when missing; `NEARMISS_BENCH_PRESIDIO=0` skips it.

#[path = "../tests/support/eval.rs"]
mod eval;

/// The allocator the `nearmiss` binary uses (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use nearmiss::redact::Redactor;
use nearmiss::report::submission::DeclaredTerms;

/// One text to redact, with what its submitter declared.
type Document = (String, DeclaredTerms);

/// The real postmortems of the public corpus beside the repository (empty
/// when it is absent), each with its company declared as a submitter
/// would: the text the registry receives.
fn real_postmortems() -> Vec<Document> {
    let mut docs = Vec::new();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/full-texts.jsonl");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus line");
            let terms = DeclaredTerms {
                organization: vec![v["company"].as_str().unwrap_or("").to_string()],
                ..Default::default()
            };
            docs.push((v["text"].as_str().unwrap_or("").to_string(), terms));
        }
    }
    docs
}

/// The labelled passages: written to hold every kind of identifier, they
/// are far denser in them than real reports (a replacement every 86 bytes
/// against every 216), so they measure the redactor near its worst.
fn labelled_passages() -> Vec<Document> {
    eval::corpus()
        .into_iter()
        .map(|p| (p.text, p.declared_terms))
        .collect()
}

/// Throughput in MB/s on `docs`, one thread, so the figure is per core.
/// One untimed pass first, as Presidio gets (`run.py`): the first call
/// compiles every pattern and loads the word lists, once per process.
/// Then five rounds of at least 20 MB each; the median round is the
/// figure, since this machine's other tenants slow some rounds down.
/// `NEARMISS_BENCH_PASSES` sets the passes per round (a run under
/// callgrind needs one or two).
fn throughput(docs: &[Document]) -> Throughput {
    let one_pass: usize = docs.iter().map(|(t, _)| t.len()).sum();
    let passes = std::env::var("NEARMISS_BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((20_000_000 / one_pass.max(1)).max(1));
    let run = |passes: usize| {
        let started = Instant::now();
        let mut out_bytes = 0;
        for _ in 0..passes {
            for (text, terms) in docs {
                let mut r = Redactor::new(terms);
                r.learn(&[text.as_str()]);
                out_bytes += r.redact("narrative", text).len();
            }
        }
        std::hint::black_box(out_bytes);
        started.elapsed().as_secs_f64()
    };
    run(1);
    let mut rounds: Vec<f64> = (0..5).map(|_| run(passes)).collect();
    rounds.sort_by(f64::total_cmp);
    let bytes = one_pass * passes;
    let mb_s = |seconds: f64| bytes as f64 / 1e6 / seconds;
    Throughput {
        median: mb_s(rounds[rounds.len() / 2]),
        slowest: mb_s(rounds[rounds.len() - 1]),
        fastest: mb_s(rounds[0]),
        documents: docs.len(),
        bytes: one_pass,
    }
}

struct Throughput {
    median: f64,
    slowest: f64,
    fastest: f64,
    documents: usize,
    /// Bytes in one pass over the documents.
    bytes: usize,
}

impl Throughput {
    fn line(&self, name: &str) -> String {
        format!(
            "  {name:<28} {:>7.2} MB/s  (median of 5 rounds, {:.1}–{:.1}; {} documents, {} KB)",
            self.median,
            self.slowest,
            self.fastest,
            self.documents,
            self.bytes / 1000
        )
    }
}

fn presidio_python(root: &Path) -> Option<PathBuf> {
    if std::env::var("NEARMISS_BENCH_PRESIDIO").is_ok_and(|v| v == "0") {
        return None;
    }
    let venv = root.join("target/presidio-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!("installing Presidio into {} (PyPI) ...", venv.display());
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "-r"])
                .arg(root.join("bench/presidio/requirements.txt"))
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("Presidio could not be installed; reporting nearmiss only");
            return None;
        }
    }
    Some(python)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not,
    // and a test run must not spend minutes (or install Presidio) here.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("target")).expect("create target/");
    let real = real_postmortems();
    let labelled = labelled_passages();
    let everything: Vec<Document> = real.iter().chain(&labelled).cloned().collect();
    let on_real = (!real.is_empty()).then(|| throughput(&real));
    let on_labelled = throughput(&labelled);
    let on_everything = on_real.is_some().then(|| throughput(&everything));

    let score = eval::score(&eval::corpus());

    // Presidio reads the real postmortems too (the labelled passages when
    // the public corpus is absent), cut to about 300 KB: it runs at a few
    // hundredths of a MB/s.
    let presidio_docs = if real.is_empty() { &labelled } else { &real };
    let mut sample = String::new();
    'fill: loop {
        for (t, _) in presidio_docs {
            sample.push_str(t);
            sample.push_str("\n\n");
            if sample.len() > 300_000 {
                break 'fill;
            }
        }
    }
    let sample_path = root.join("target/presidio-throughput.txt");
    std::fs::write(&sample_path, &sample).expect("write the throughput sample");
    let presidio: Option<serde_json::Value> = presidio_python(&root).and_then(|python| {
        let out = Command::new(python)
            .arg(root.join("bench/presidio/run.py"))
            .arg("--corpus")
            .arg(root.join("tests/data/redaction-corpus.jsonl"))
            .arg("--throughput-file")
            .arg(&sample_path)
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!("presidio failed: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        serde_json::from_slice(&out.stdout).ok()
    });

    println!("\nRedaction throughput, one core");
    if let Some(t) = &on_real {
        println!("{}", t.line("real postmortems"));
    }
    println!("{}", on_labelled.line("labelled passages (dense)"));
    if let Some(t) = &on_everything {
        println!("{}", t.line("both together"));
    }
    if let Some(p) = &presidio {
        let theirs = p["throughput_mb_s"].as_f64().unwrap_or(f64::NAN);
        println!(
            "  {:<28} {theirs:>7.3} MB/s  ({} bytes of the {} in {:.2} s; {} {}, model {})",
            "presidio",
            p["bytes"],
            if real.is_empty() {
                "labelled passages"
            } else {
                "real postmortems"
            },
            p["seconds"].as_f64().unwrap_or(0.0),
            p["engine"].as_str().unwrap_or(""),
            p["version"].as_str().unwrap_or(""),
            p["model"].as_str().unwrap_or("")
        );
        let ours = on_real.as_ref().unwrap_or(&on_labelled).median;
        println!(
            "  nearmiss is {:.0}x faster on the same text",
            ours / theirs
        );
    }
    println!("\nRecall on the labelled corpus (caught / total)");
    println!("  {:<20} {:>16} {:>16}", "kind", "nearmiss", "presidio");
    for (kind, (caught, total)) in &score.recall {
        let theirs = presidio
            .as_ref()
            .and_then(|p| p["recall"].get(kind))
            .and_then(|v| Some((v[0].as_u64()?, v[1].as_u64()?)))
            .map(|(c, t)| format!("{c}/{t} {:>5.1}%", eval::percent(c as usize, t as usize)))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {kind:<20} {:>16} {theirs:>16}",
            format!("{caught}/{total} {:>5.1}%", eval::percent(*caught, *total))
        );
    }
    println!(
        "\nMust-survive terms kept by nearmiss: {} of {}",
        score.survived.0, score.survived.1
    );
}
