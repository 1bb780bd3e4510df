//! Redaction throughput and recall, beside Microsoft Presidio on the same
//! data in the same run.
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

/// Postmortem texts to push through: the public corpus beside the
/// repository when present, and the labelled passages.
fn documents() -> Vec<(String, DeclaredTerms)> {
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
    for p in eval::corpus() {
        docs.push((p.text, p.declared_terms));
    }
    docs
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
    let docs = documents();
    let one_pass: usize = docs.iter().map(|(t, _)| t.len()).sum();

    // Throughput: one thread, so the figure is per core. One untimed pass
    // first, as Presidio gets (`run.py`): the first call compiles every
    // pattern and loads the word lists, once per process. Then five rounds
    // of at least 20 MB each; the median round is the figure, since this
    // machine's other tenants slow some rounds down. `NEARMISS_BENCH_PASSES`
    // sets the passes per round (a run under callgrind needs one or two).
    let passes = std::env::var("NEARMISS_BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((20_000_000 / one_pass.max(1)).max(1));
    let run = |passes: usize| {
        let started = Instant::now();
        let mut out_bytes = 0;
        for _ in 0..passes {
            for (text, terms) in &docs {
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
    let seconds = rounds[rounds.len() / 2];
    let bytes = one_pass * passes;
    let ours_mb_s = bytes as f64 / 1e6 / seconds;
    let (slowest, fastest) = (
        bytes as f64 / 1e6 / rounds[rounds.len() - 1],
        bytes as f64 / 1e6 / rounds[0],
    );

    let score = eval::score(&eval::corpus());

    // The same text for Presidio, cut to about 300 KB: it runs at a few
    // hundredths of a MB/s.
    let mut sample = String::new();
    'fill: loop {
        for (t, _) in &docs {
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
    println!("  nearmiss : {ours_mb_s:>10.2} MB/s  (median of 5 rounds, {slowest:.1}–{fastest:.1}; {bytes} bytes in {seconds:.2} s, {} documents x {passes})", docs.len());
    if let Some(p) = &presidio {
        println!(
            "  presidio : {:>10.3} MB/s  ({} bytes in {:.2} s; {} {}, model {})",
            p["throughput_mb_s"].as_f64().unwrap_or(0.0),
            p["bytes"],
            p["seconds"].as_f64().unwrap_or(0.0),
            p["engine"].as_str().unwrap_or(""),
            p["version"].as_str().unwrap_or(""),
            p["model"].as_str().unwrap_or("")
        );
        let ratio = ours_mb_s / p["throughput_mb_s"].as_f64().unwrap_or(f64::NAN);
        println!("  nearmiss is {ratio:.0}x faster");
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
