#!/usr/bin/env python3
"""Writes corpus.jsonl beside this file: the hostile requests that
tests/hostile runs against the real server. Edit here and re-run; the
JSON Lines file is what the test reads.

Each line: name, category, method, and one of
  path | path_gen {prefix, repeat, count, suffix}
  raw (the whole request, placeholders allowed) | raw_b64
then optional headers [[name, value]...], header_gen {name, value_repeat,
count} or {many, count}, body | body_b64 | body_gen | submission (JSON
pointer patches onto the test's complete submission), and the outcome:
expect ("4xx", "2xx", "2xx|4xx" or a status), json (false when the answer
cannot be the API's JSON error, with why), readback (text the published
report must contain, as text), absent (strings the answer must not hold,
compared by skeleton). Placeholders: {id} {receipt} {token} {build}
{missing_id}.
"""
import base64
import gzip
import json
import os

cases = []


def case(name, category, method="GET", **kw):
    c = {"name": name, "category": category, "method": method}
    c.update(kw)
    cases.append(c)


J = [["content-type", "application/json"]]
MD = [["content-type", "text/markdown"]]
MiB = 1024 * 1024

# --- over-size bodies ---------------------------------------------------
for path in ["/api/v1/reports", "/api/v1/redact"]:
    case(f"json body of 1 MiB + 1 to {path}", "oversize", "POST", path=path, headers=J,
         body_gen={"prefix": '{"title":"', "repeat": "x", "count": MiB, "suffix": '"}'}, expect=413)
    case(f"markdown body of 2 MiB to {path}", "oversize", "POST", path=path, headers=MD,
         body_gen={"prefix": "# t\n\n", "repeat": "word ", "count": 2 * MiB // 5, "suffix": ""}, expect=413)
    case(f"content-length of 10 GB, small body, to {path}", "oversize", "POST", path=path,
         headers=J + [["content-length", "10000000000"]], body="{}", expect=413)
case("login body over 4 KiB", "oversize", "POST", path="/api/v1/auth/login", headers=J,
     body_gen={"prefix": '{"name":"a","password":"', "repeat": "p", "count": 8192, "suffix": '"}'}, expect=413)
case("cookie login body over 4 KiB", "oversize", "POST", path="/api/v1/auth/session", headers=J,
     body_gen={"prefix": '{"name":"', "repeat": "n", "count": 8192, "suffix": '","password":"x"}'}, expect=413)
case("amendment over its limit", "oversize", "POST", path="/api/v1/receipts/{id}/amendments",
     headers=J + [["authorization", "Receipt {receipt}"]],
     body_gen={"prefix": '{"text":"', "repeat": "a", "count": 200 * 1024, "suffix": '"}'}, expect=413)
case("amendment text just over 64 KiB", "oversize", "POST", path="/api/v1/receipts/{id}/amendments",
     headers=J + [["authorization", "Receipt {receipt}"]],
     body_gen={"prefix": '{"text":"', "repeat": "b", "count": 64 * 1024 + 10, "suffix": '"}'}, expect=422)
case("reviewer rejection over 16 KiB", "oversize", "POST", path="/api/v1/review/{id}/reject",
     headers=J + [["authorization", "Bearer {token}"]],
     body_gen={"prefix": '{"reason":"', "repeat": "r", "count": 32 * 1024, "suffix": '"}'}, expect=413)
case("title far over 200 characters", "oversize", "POST", path="/api/v1/reports",
     submission=[["/title", "T" * 5000]], expect=422)
case("100,000 technologies", "oversize", "POST", path="/api/v1/reports", headers=J,
     body_gen={"prefix": '{"title":"t","summary":"s","narrative":"n","technologies":["redis"', "repeat": ',"redis"', "count": 100000, "suffix": "]}"}, expect="4xx")
case("50,000 timeline entries", "oversize", "POST", path="/api/v1/redact", headers=J,
     body_gen={"prefix": '{"title":"t","summary":"s","narrative":"n","timeline":[{"at":"T+0m","event":"e"}', "repeat": ',{"at":"T+1m","event":"e"}', "count": 35000, "suffix": "]}"}, expect="4xx")
case("50,000 declared terms", "oversize", "POST", path="/api/v1/redact", headers=J,
     body_gen={"prefix": '{"title":"t","summary":"s","narrative":"n","declared_terms":{"other":["abcdef"', "repeat": ',"abcdef"', "count": 50000, "suffix": "]}}"}, expect="4xx")
case("chunked body past the limit", "oversize", "POST", path="/api/v1/reports",
     headers=J + [["transfer-encoding", "chunked"]],
     body_gen={"prefix": "", "repeat": "8000\r\n" + "y" * 0x8000 + "\r\n", "count": 40, "suffix": "0\r\n\r\n"}, expect=413)

# --- deeply nested JSON -------------------------------------------------
for path, extra in [("/api/v1/reports", []), ("/api/v1/redact", []), ("/api/v1/auth/login", []),
                    ("/api/v1/receipts/{id}/amendments", [["authorization", "Receipt {receipt}"]])]:
    # 400 once parsing meets the depth limit; 413 where the body limit is lower.
    case(f"100,000 nested arrays to {path}", "nesting", "POST", path=path, headers=J + extra,
         body_gen={"prefix": "", "repeat": "[", "count": 100000, "suffix": ""}, expect="4xx")
    case(f"10,000 nested objects to {path}", "nesting", "POST", path=path, headers=J + extra,
         body_gen={"prefix": "", "repeat": '{"a":', "count": 10000, "suffix": "1" + "}" * 10000}, expect="4xx")
    case(f"200 nested arrays to {path}", "nesting", "POST", path=path, headers=J + extra,
         body="[" * 200 + "]" * 200, expect=400)
case("nesting inside the title", "nesting", "POST", path="/api/v1/reports", headers=J,
     body_gen={"prefix": '{"title":', "repeat": "[", "count": 5000, "suffix": ""}, expect=400)
case("nesting inside incident", "nesting", "POST", path="/api/v1/reports", headers=J,
     body_gen={"prefix": '{"title":"t","summary":"s","narrative":"n","incident":', "repeat": '{"impact":', "count": 3000, "suffix": "}"}, expect=400)
case("nested markdown submission in JSON", "nesting", "POST", path="/api/v1/redact", headers=J,
     body_gen={"prefix": '{"markdown":', "repeat": "[", "count": 50000, "suffix": ""}, expect=400)
case("markdown with 20,000 nested blockquotes", "nesting", "POST", path="/api/v1/redact", headers=MD,
     body_gen={"prefix": "# Title\n\n", "repeat": ">", "count": 20000, "suffix": " deep\n"}, expect="2xx|4xx")
case("markdown with 5,000 nested list levels", "nesting", "POST", path="/api/v1/redact", headers=MD,
     body_gen={"prefix": "# Title\n\n", "repeat": "  - x\n", "count": 5000, "suffix": ""}, expect="2xx|4xx")
case("markdown with 10,000 nested emphasis", "nesting", "POST", path="/api/v1/redact", headers=MD,
     body_gen={"prefix": "# Title\n\n## Summary\n\n", "repeat": "*_", "count": 10000, "suffix": "x"}, expect="2xx|4xx")
case("markdown with 10,000 unclosed links", "nesting", "POST", path="/api/v1/redact", headers=MD,
     body_gen={"prefix": "# Title\n\n", "repeat": "[", "count": 10000, "suffix": "x](y"}, expect="2xx|4xx")
case("markdown with 10,000 headings", "nesting", "POST", path="/api/v1/redact", headers=MD,
     body_gen={"prefix": "", "repeat": "# h\n", "count": 10000, "suffix": ""}, expect="2xx|4xx")


# --- invalid UTF-8 --------------------------------------------------------
def b64(b):
    return base64.b64encode(b).decode()


for label, bad in [("0xff byte", b"\xff"), ("overlong slash", b"\xc0\xaf"), ("surrogate half", b"\xed\xa0\x80"),
                   ("truncated sequence", b"\xe2\x82"), ("code point past U+10FFFF", b"\xf4\x90\x80\x80"),
                   ("lone continuation", b"\x80\x80")]:
    case(f"JSON with {label} in the title", "utf8", "POST", path="/api/v1/reports", headers=J,
         body_b64=b64(b'{"title":"a' + bad + b'","summary":"s","narrative":"n"}'), expect=400)
case("markdown with invalid UTF-8", "utf8", "POST", path="/api/v1/redact", headers=MD,
     body_b64=b64(b"# Title\n\nbody \xff\xfe text\n"), expect=400)
case("login with invalid UTF-8", "utf8", "POST", path="/api/v1/auth/login", headers=J,
     body_b64=b64(b'{"name":"\xff","password":"x"}'), expect=400)
case("amendment with invalid UTF-8", "utf8", "POST", path="/api/v1/receipts/{id}/amendments",
     headers=J + [["authorization", "Receipt {receipt}"]], body_b64=b64(b'{"text":"\xc3\x28"}'), expect=400)
case("UTF-16 body", "utf8", "POST", path="/api/v1/reports", headers=J,
     body_b64=b64('{"title":"t","summary":"s","narrative":"n"}'.encode("utf-16")), expect=400)
case("escaped lone surrogate in JSON", "utf8", "POST", path="/api/v1/redact", headers=J,
     body='{"title":"\\ud800","summary":"s","narrative":"n"}', expect=400)
case("invalid UTF-8 percent-encoded in q", "utf8", path="/api/v1/search?q=%ff%fe%fd", expect="2xx|4xx")
case("invalid UTF-8 percent-encoded in tech", "utf8", path="/api/v1/search?tech=%c0%af", expect="2xx|4xx")
case("invalid UTF-8 percent-encoded in a report id", "utf8", path="/api/v1/reports/%ff%fe", expect="4xx")
case("invalid UTF-8 percent-encoded in a receipt id", "utf8", path="/api/v1/receipts/%c0%ae",
     headers=[["authorization", "Receipt abc"]], expect="4xx")
case("invalid UTF-8 in a technology page name", "utf8", path="/technologies/%ff", expect="4xx", json=False,
     why="pages outside /api/v1 answer with the HTML 404 page")
case("raw invalid UTF-8 bytes in the request target", "utf8",
     raw_b64=b64(b"GET /api/v1/search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), expect="2xx|4xx",
     json=False, why="the HTTP parser may refuse a request line with raw non-ASCII bytes before any route runs")
case("invalid UTF-8 in a header value", "utf8", path="/api/v1/receipts/{id}",
     headers=[["authorization", "Receipt \u00ff\u00fe"]], expect="4xx")
case("UTF-8 BOM before JSON", "utf8", "POST", path="/api/v1/redact", headers=J,
     body_b64=b64(b'\xef\xbb\xbf{"title":"t","summary":"s","narrative":"n"}'), expect=400)

# --- search queries ---------------------------------------------------------
Q = "/api/v1/search?q="
pathological = {
    "a lone star": "*",
    "leading wildcard": "*ache",
    "star run": "*" * 900,
    "long wildcard word": "a" + "*" * 500 + "b",
    "prefix phrase": '"replica resync"*',
    "alternating wildcards": "a*b*c*d*e*f*g*h*i*j*" * 40,
    "unclosed quote": '"redis replica',
    "lone quote": '"',
    "many quotes": '"' * 999,
    "unclosed parenthesis": "(redis OR postgres",
    "stray closing parenthesis": "redis) OR (postgres",
    "400 open parentheses": "(" * 400 + "x",
    "400 balanced parentheses": "(" * 400 + "x" + ")" * 400,
    "300 nested negations": "-(" * 300 + "x" + ")" * 300,
    "empty field": "title:",
    "field chain": "title:title:title:x",
    "unknown field": "id:*",
    "internal field": "tech_facet:redis",
    "field of stars": "title:*",
    "field regex": "title:/.*(a|aa)*.*/",
    "regex": "/(.*)*x/",
    "range on text": "title:[a TO zzzz]",
    "open range": "title:{* TO *}",
    "set query": "title: IN [a b c d e f g h]",
    "exists query": "narrative:*",
    "boost overflow": "redis^99999999999999999999",
    "negative boost": "redis^-1",
    "nan boost": "redis^NaN",
    "fuzzy tilde": "redis~99",
    "phrase slop": '"redis replica"~999999',
    "only exclusions": "-redis -postgres",
    "only operators": "AND OR NOT",
    "operator soup": "+-+-+-redis",
    "backslashes": "\\" * 300,
    "trailing backslash": "redis\\",
    "colons": ":" * 500,
    "carets": "^" * 500,
    "brackets": "[" * 500,
    "braces": "{" * 500,
    "mixed syntax": "(\"a\" OR b:c^2 -[d TO e}) AND",
    "NUL in query": "redis\x00replica",
    "control characters": "\x01\x02\x03\x1b[31m",
    "RTL override": "\u202eredis",
    "SQL injection": "' OR 1=1; DROP TABLE reports; --",
    "SQL comment": "redis'/**/UNION/**/SELECT/**/*/**/FROM/**/reviewers--",
    "XSS": "<script>alert(1)</script>",
    "499 terms": " ".join(["a"] * 499),
    "300 OR terms": " OR ".join(["x"] * 200),
    "one character past the limit": "q" * 1001,
    "emoji flood": "\U0001F4A5" * 1000,
}
from urllib.parse import quote
for label, q in pathological.items():
    case(f"search: {label}", "search", path=Q + quote(q, safe=""), expect="2xx|4xx")
case("search: 100 KB query string", "search", path_gen={"prefix": Q, "repeat": "a*%20", "count": 25000, "suffix": ""},
     expect="4xx", json=False, why="a request head this large is refused by the HTTP parser (431) before any route runs")
case("search: 5,000 terms", "search", path_gen={"prefix": Q, "repeat": "ab+", "count": 5000, "suffix": ""}, expect=400)
case("search: q repeated 1,000 times", "search", path_gen={"prefix": "/api/v1/search?", "repeat": "q=a*&", "count": 1000, "suffix": ""},
     expect="2xx|4xx")
case("search: 26 tech filters", "search", path="/api/v1/search?" + "&".join(f"tech=t{i}" for i in range(26)), expect=400)
case("malformed JSON: 900 KB key", "json", "POST", path="/api/v1/reports", headers=J,
     body_gen={"prefix": '{"', "repeat": "k", "count": 900000, "suffix": '":1}'}, expect="4xx")
case("search: 1,000 distinct tech filters", "search",
     path="/api/v1/search?" + "&".join(f"tech=t{i}" for i in range(1000)), expect=400)
case("search: 1,000 unknown parameters", "search",
     path="/api/v1/search?" + "&".join(f"p{i}=1" for i in range(1000)), expect=400)
for label, qs in {
    "page zero": "page=0", "page huge": "page=99999999999999999999", "negative page": "page=-1",
    "per_page zero": "per_page=0", "per_page 101": "per_page=101", "deep paging": "page=1000&per_page=100",
    "bad sort": "sort=id;DROP", "bad month": "from=9999-99", "SQL in month": "from=2024-01'%20OR%20'1'='1",
    "bad ttr": "min_ttr=-5", "huge ttr": "max_ttr=1e99", "closed vocabulary": "industry=piracy",
    "empty filter": "severity=", "overlong filter": "tech=" + "t" * 500, "empty key": "=x",
    "bare ampersands": "&&&&&", "bad percent escape": "q=%zz%", "plus signs": "q=+++",
    "key with NUL": "q%00=x",
}.items():
    case(f"search parameter: {label}", "search", path="/api/v1/search?" + qs, expect="2xx|4xx")
for label, q in [("unclosed quote", '"x'), ("regex", "/x/"), ("star run", "*" * 900), ("400 open parentheses", "(" * 400)]:
    case(f"stats: {label}", "search", path="/api/v1/stats?q=" + quote(q, safe=""), expect="2xx|4xx")
    case(f"feed: {label}", "search", path="/feeds/reports.atom?q=" + quote(q, safe=""), expect="2xx|4xx", json=False,
         why="the feed is Atom XML; a bad query still gets a 4xx")
    case(f"stats csv: {label}", "search", path="/api/v1/stats?format=csv&q=" + quote(q, safe=""), expect="2xx|4xx", json=False,
         why="a CSV request answers with CSV or a 4xx")
case("similar: limit zero", "search", path="/api/v1/reports/{missing_id}/similar?limit=0", expect=400)
case("similar: limit huge", "search", path="/api/v1/reports/{missing_id}/similar?limit=99999999999", expect=400)
case("similar: not a uuid", "search", path="/api/v1/reports/x'%20OR%201=1/similar", expect=400)

# --- path traversal on static routes ---------------------------------------
HTML404 = dict(json=False, why="paths outside /api/v1 answer with the HTML 404 page, from the embedded table: no file system lookup")
for p in [
    "/assets/..%2f..%2fCargo.toml", "/assets/{build}/..%2f..%2fCargo.toml", "/assets/{build}/..%2F..%2Fsrc%2Fmain.rs",
    "/assets/{build}/%2e%2e/%2e%2e/Cargo.toml", "/assets/{build}/%252e%252e%252fCargo.toml",
    "/assets/{build}/..%252f..%252fCargo.toml", "/assets/{build}/js/..%5c..%5cCargo.toml",
    "/assets/{build}/..\\..\\Cargo.toml", "/assets/{build}/.env", "/assets/{build}/.%2e/.%2e/etc/passwd",
    "/assets/{build}/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/assets/{build}/js/%00.js",
    "/assets/{build}//etc/passwd", "/assets/{build}/js/common.js%00.html", "/assets/{build}/" + "a/" * 200 + "x",
    "/assets/{build}/js/../../../../etc/passwd", "/assets/../../../../etc/passwd", "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/assets/{build}/~/.ssh/id_rsa", "/reports/..%2f..%2fetc%2fpasswd",
    "/technologies/..%2f..%2f", "/assets/%2e%2e%2f%2e%2e%2fdata%2fnearmiss.db",
    "/assets/{build}/../../data/nearmiss.db", "/assets/{build}/%ef%bc%8e%ef%bc%8e/Cargo.toml",
]:
    case(f"traversal: {p}", "traversal", path=p, expect=404, **HTML404)
case("traversal under the API", "traversal", path="/api/v1/../../etc/passwd", expect="4xx", json=False,
     why="the raw target normalises outside /api/v1, where the HTML 404 page answers")
case("encoded traversal under the API", "traversal", path="/api/v1/%2e%2e/%2e%2e/etc/passwd", expect=404)
case("traversal in a report id", "traversal", path="/api/v1/reports/..%2f..%2freviewers", expect="4xx")

# --- XSS and SQL injection in every field --------------------------------------
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
       "</textarea><script>document.write(1)</script>", "{{constructor.constructor('alert(1)')()}}",
       "<iframe srcdoc=\"<b>x</b>\"></iframe>"]
SQL = ["'; DROP TABLE reports; --", "' OR '1'='1", "1; DELETE FROM reviewers WHERE 1=1; --",
       "\" UNION SELECT password_hash FROM reviewers --", "'); UPDATE reports SET status='published'; --"]
TEXT_FIELDS = ["/title", "/summary", "/narrative", "/incident/impact/description", "/timeline/0/event",
               "/root_causes/0", "/five_whys/0", "/lessons_learned/0", "/action_items/0/description"]
for field in TEXT_FIELDS:
    for i, p in enumerate(XSS + SQL):
        kind = "xss" if i < len(XSS) else "sqli"
        case(f"{kind} in {field}: {p[:30]}", kind, "POST", path="/api/v1/reports",
             submission=[[field, f"Before {p} after"]], expect=201, readback=p)
for field in ["/technologies/0", "/trigger", "/incident/detection", "/contributing_factors/0", "/mitigations/0", "/human_factors/0"]:
    for p in [XSS[0], XSS[1], SQL[0], SQL[2]]:
        case(f"payload in {field}: {p[:30]}", "xss" if "<" in p else "sqli", "POST", path="/api/v1/reports",
             submission=[[field, p]], expect="2xx|4xx")
for field in ["/industry", "/organization_size", "/incident/severity"]:
    for p in [XSS[0], SQL[1]]:
        case(f"payload in closed {field}: {p[:30]}", "xss" if "<" in p else "sqli", "POST", path="/api/v1/reports",
             submission=[[field, p]], expect=422)
for field in ["/incident/started_at", "/timeline/0/at", "/action_items/0/status"]:
    for p in [XSS[0], SQL[0]]:
        case(f"payload in {field}: {p[:30]}", "xss" if "<" in p else "sqli", "POST", path="/api/v1/reports",
             submission=[[field, p]], expect="2xx|4xx")
for field in ["/declared_terms/organization/0", "/declared_terms/people/0", "/declared_terms/other"]:
    for p in [XSS[0], SQL[0]]:
        val = [p] if field.endswith("other") else p
        case(f"payload as a declared term {field}: {p[:30]}", "xss" if "<" in p else "sqli", "POST",
             path="/api/v1/reports", submission=[[field, val]], expect=201)
for p in [XSS[0], SQL[0], SQL[2]]:
    case(f"amendment: {p[:30]}", "xss" if "<" in p else "sqli", "POST", path="/api/v1/receipts/{id}/amendments",
         headers=J + [["authorization", "Receipt {receipt}"]], body=json.dumps({"text": f"Later: {p}"}), expect=201)
    case(f"login name: {p[:30]}", "sqli", "POST", path="/api/v1/auth/login", headers=J,
         body=json.dumps({"name": p, "password": p}), expect=401)
    case(f"receipt secret: {p[:30]}", "sqli", path="/api/v1/receipts/{id}",
         headers=[["authorization", "Receipt " + p]], expect=401)
    case(f"withdraw with receipt {p[:30]}", "sqli", "DELETE", path="/api/v1/receipts/{id}",
         headers=[["authorization", "Receipt " + p]], expect=401)
    case(f"reviewer question: {p[:30]}", "xss", "POST", path="/api/v1/review/{missing_id}/question",
         headers=J + [["authorization", "Bearer {token}"]], body=json.dumps({"question": p}), expect="4xx")
case("report id as SQL", "sqli", path="/api/v1/reports/1%20OR%201=1", expect=400)
case("technology profile as SQL", "sqli", path="/api/v1/technologies/redis'%20OR%20'1'='1", expect="2xx|4xx")
case("technology profile as XSS", "xss", path="/api/v1/technologies/%3Cscript%3Ealert(1)%3C%2Fscript%3E", expect="2xx|4xx")

# --- Unicode tricks on declared terms ------------------------------------------
variants = {
    "zero-width joiner": "Quill\u200dfeather",
    "zero-width space": "Quill\u200bfeather",
    "zero-width non-joiner": "Quill\u200cfeather",
    "word joiner": "Quill\u2060feather",
    "soft hyphen": "Quill\u00adfeather",
    "byte order mark inside": "Quill\ufefffeather",
    "RTL override around": "\u202eQuillfeather\u202c",
    "RTL override inside": "Quill\u202efeather",
    "LTR isolate": "\u2066Quillfeather\u2069",
    "Cyrillic i": "Qu\u0456llfeather",
    "Cyrillic e and a": "Quillf\u0435\u0430ther",
    "Greek omicron-free mix": "Quillfe\u0251ther",
    "fullwidth": "\uff31\uff55\uff49\uff4c\uff4c\uff46\uff45\uff41\uff54\uff48\uff45\uff52",
    "mathematical bold": "\U0001d410\U0001d42e\U0001d422\U0001d425\U0001d425\U0001d41f\U0001d41e\U0001d41a\U0001d42d\U0001d421\U0001d41e\U0001d42b",
    "upper case": "QUILLFEATHER",
    "combining accent": "Qu\u0301illfeather",
    "possessive": "Quillfeather's",
    "inside a URL": "https://status.quillfeather.example/incidents",
}
for label, v in variants.items():
    case(f"declared term spelled with {label}", "unicode", "POST", path="/api/v1/redact",
         submission=[["/narrative", f"The {v} mesh failed, and {v} engineers restarted it."],
                     ["/summary", f"{v} outage."],
                     ["/declared_terms", {"organization": ["Quillfeather"]}]],
         expect=200, absent=[v, "Quillfeather"])
for label, term in {"zero-width joiner": "Quill\u200dfeather", "RTL override": "\u202eQuillfeather",
                    "Cyrillic i": "Qu\u0456llfeather", "fullwidth": "\uff31uillfeather",
                    "NFD accent": "Zoe\u0308 Ha\u030akansson"}.items():
    plain = "Zo\u00eb H\u00e5kansson" if "NFD" in label else "Quillfeather"
    case(f"declared term itself with {label}", "unicode", "POST", path="/api/v1/redact",
         submission=[["/narrative", f"{plain} was on call when it broke."], ["/summary", "Outage."],
                     ["/declared_terms", {"organization": [term]}]], expect=200, absent=[plain])
for label, term in {"only a zero-width joiner": "\u200d", "only an RTL override": "\u202e",
                    "only combining marks": "\u0301\u0301\u0301", "whitespace": "   "}.items():
    case(f"declared term that is {label}", "unicode", "POST", path="/api/v1/redact",
         submission=[["/declared_terms", {"organization": [term]}]], expect="2xx|4xx")

# --- header abuse ----------------------------------------------------------------
HDR = dict(json=False, why="the HTTP parser refuses a malformed or oversized head (400/431) before any route runs")
case("64 KiB header value", "headers", path="/api/v1/search?q=x", header_gen={"name": "x-pad", "value_repeat": "a", "count": 65536},
     expect="2xx|4xx", json=False, why="a head under the HTTP parser's buffer limit is read, and an unknown header is ignored")
case("200 KiB header value", "headers", path="/api/v1/search?q=x", header_gen={"name": "x-pad", "value_repeat": "a", "count": 200 * 1024},
     expect="4xx", **HDR)
case("20 KiB authorization header", "headers", path="/api/v1/receipts/{id}",
     header_gen={"name": "authorization", "value_prefix": "Receipt ", "value_repeat": "r", "count": 20000}, expect="4xx")
case("200 headers", "headers", path="/healthz", header_gen={"many": "x-h", "count": 200}, expect="4xx", **HDR)
case("90 cookies", "headers", path="/api/v1/auth/session",
     headers=[["cookie", "; ".join(f"c{i}=v" for i in range(90))]], expect=401)
case("session cookie of 10 KB", "headers", path="/api/v1/auth/session",
     headers=[["cookie", "nearmiss_session=" + "a" * 5000 + "." + "b" * 5000]], expect=401)
case("made-up session cookie", "headers", path="/api/v1/review/queue",
     headers=[["cookie", "nearmiss_session=00000000-0000-4000-8000-000000000000.secret"]], expect=401)
case("cookie state change without CSRF", "headers", "POST", path="/api/v1/review/{id}/approve",
     headers=[["cookie", "nearmiss_session=a.b"]], expect=403)
for label, v in {"Basic": "Basic dXNlcjpwYXNz", "Digest": 'Digest username="a", realm="r"', "empty Bearer": "Bearer ",
                 "Bearer without a dot": "Bearer abcdef", "Bearer of dots": "Bearer ....", "lowercase bearer, made up": "bearer a.b",
                 "Bearer with NUL escape": "Bearer a\\x00.b", "Bearer 300 chars": "Bearer " + "a" * 150 + "." + "b" * 150,
                 "Negotiate": "Negotiate YIIB", "no scheme": "abc.def", "Receipt scheme on review": "Receipt abc",
                 "Bearer JWT none": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."}.items():
    case(f"authorization {label} on the queue", "headers", path="/api/v1/review/queue", headers=[["authorization", v]], expect=401)
for label, v in {"Bearer on a receipt": "Bearer {token}", "Basic on a receipt": "Basic dXNlcjpwYXNz", "empty Receipt": "Receipt ",
                 "Receipt of spaces": "Receipt        ", "Receipt 300 chars": "Receipt " + "r" * 300, "wrong receipt": "Receipt AAAA",
                 "receipt in lower case scheme, wrong": "receipt AAAA", "two schemes": "Receipt a, Bearer b"}.items():
    case(f"authorization {label}", "headers", path="/api/v1/receipts/{id}", headers=[["authorization", v]], expect=401)
case("receipt for a report that does not exist", "headers", path="/api/v1/receipts/{missing_id}",
     headers=[["authorization", "Receipt {receipt}"]], expect=401)
case("two authorization headers", "headers", path="/api/v1/review/queue",
     headers=[["authorization", "Bearer a.b"], ["authorization", "Bearer {token}"]], expect="2xx|4xx")
for label, ct in {"text/plain": "text/plain", "XML": "application/xml", "form": "application/x-www-form-urlencoded",
                  "multipart": "multipart/form-data; boundary=x", "empty": "",
                  "two types": "application/json, text/plain", "json suffix": "application/problem+json"}.items():
    case(f"content type {label}", "headers", "POST", path="/api/v1/reports",
         headers=[["content-type", ct]], body='{"title":"t","summary":"s","narrative":"n"}', expect="4xx")
for label, ct in {"UTF-16 charset": "application/json; charset=utf-16", "very long": "application/json" + ";x=y" * 2000}.items():
    case(f"content type {label} on a UTF-8 body", "headers", "POST", path="/api/v1/reports",
         headers=[["content-type", ct]], body='{"title":"t","summary":"s","narrative":"n"}', expect="2xx|4xx")
case("content type of control characters", "headers", "POST", path="/api/v1/reports",
     headers=[["content-type", "\u0001\u0002"]], body="{}", expect="4xx", **HDR)
case("content type JSON in upper case", "headers", "POST", path="/api/v1/redact",
     headers=[["content-type", "APPLICATION/JSON"]], body='{"title":"t","summary":"s","narrative":"n"}', expect=200)
case("no content type", "headers", "POST", path="/api/v1/auth/login", body='{"name":"a","password":"b"}', expect=415)
case("gzip bomb with content-encoding", "headers", "POST", path="/api/v1/redact",
     headers=J + [["content-encoding", "gzip"]], body_b64=b64(gzip.compress(b"\0" * (20 * MiB))), expect="4xx")
case("content-encoding br on JSON", "headers", "POST", path="/api/v1/redact",
     headers=J + [["content-encoding", "br"]], body="{}", expect="4xx")
case("negative content-length", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}",
     expect="4xx", **HDR)
case("non-numeric content-length", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\nConnection: close\r\n\r\n{}", expect="4xx", **HDR)
case("two different content-lengths", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}",
     expect="4xx", **HDR)
case("content-length and chunked together", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
     expect="4xx", **HDR)
case("bad chunk size", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
     expect="4xx", **HDR)
case("transfer-encoding gzip, chunked", "headers",
     raw="POST /api/v1/redact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
     expect="4xx", **HDR)
case("header name with a space", "headers", raw="GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nConnection: close\r\n\r\n",
     expect="4xx", **HDR)
case("header with a raw NUL", "headers", raw_b64=b64(b"GET /api/v1/review/queue HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\x00.b\r\nConnection: close\r\n\r\n"),
     expect="4xx", **HDR)
case("header with raw high bytes", "headers", raw_b64=b64(b"GET /api/v1/review/queue HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe.\xfd\r\nConnection: close\r\n\r\n"),
     expect="4xx")
case("obsolete line folding", "headers", raw="GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\nConnection: close\r\n\r\n",
     expect="2xx|4xx", **HDR)
case("bare LF line endings", "headers", raw="GET /api/v1/search?q=x HTTP/1.1\nHost: x\nConnection: close\n\n", expect="2xx|4xx", **HDR)
case("unknown method", "headers", raw="BREW /api/v1/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", expect="4xx")
case("TRACE", "headers", raw="TRACE /api/v1/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", expect="4xx")
case("CONNECT", "headers", raw="CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", expect="4xx", **HDR)
case("absolute-form target elsewhere", "headers", raw="GET http://evil.example/api/v1/search HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
     expect="2xx|4xx", json=False, why="an absolute-form target is routed by its path alone; the other host is ignored")
case("asterisk target", "headers", raw="OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", expect="4xx", **HDR)
case("HTTP/9.9", "headers", raw="GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n", expect="4xx", **HDR)
case("request line of garbage", "headers", raw="\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", expect="4xx", **HDR)
case("8 KB path", "headers", path="/api/v1/reports/" + "a" * 8000, expect="4xx")
case("method not allowed on search", "headers", "PUT", path="/api/v1/search", body="", expect="4xx")
case("method not allowed on reports", "headers", "PATCH", path="/api/v1/reports", body="{}", headers=J, expect="4xx")
case("DELETE the reports collection", "headers", "DELETE", path="/api/v1/reports", expect="4xx")
case("expect 100-continue past the limit", "headers", "POST", path="/api/v1/reports",
     headers=J + [["expect", "100-continue"], ["content-length", "5000000"]], body="", expect=413)
case("host header of 4 KB", "headers", raw="GET /healthz HTTP/1.1\r\nHost: " + "h" * 4000 + "\r\nConnection: close\r\n\r\n",
     expect="2xx|4xx", **HDR)
case("x-forwarded-for spoofing", "headers", path="/api/v1/search?q=x",
     headers=[["x-forwarded-for", "203.0.113.7, 198.51.100.2"], ["forwarded", "for=192.0.2.1"]], expect=200)

# --- NUL bytes ---------------------------------------------------------------------
for field in ["/title", "/summary", "/narrative", "/root_causes/0", "/timeline/0/event", "/timeline/0/at",
              "/technologies/0", "/trigger", "/declared_terms/organization/0", "/incident/started_at",
              "/action_items/0/description", "/incident/impact/description"]:
    case(f"NUL in {field}", "nul", "POST", path="/api/v1/reports", submission=[[field, "a\u0000b"]], expect="4xx")
case("NUL in the login name", "nul", "POST", path="/api/v1/auth/login", headers=J, body='{"name":"rev-alice\\u0000","password":"x"}', expect=401)
case("NUL in a markdown body", "nul", "POST", path="/api/v1/reports", headers=MD, body="# Title\u0000\n\n## Summary\n\nx\u0000y\n", expect=201,
     why="Markdown ingestion removes NULs before anything reads the text")
case("NUL in an amendment", "nul", "POST", path="/api/v1/receipts/{id}/amendments",
     headers=J + [["authorization", "Receipt {receipt}"]], body='{"text":"a\\u0000b"}', expect="4xx")
case("NUL in a path", "nul", path="/api/v1/reports/%00", expect=400)
case("NUL in a search filter", "nul", path="/api/v1/search?tech=redis%00", expect="2xx|4xx")

# --- malformed JSON ---------------------------------------------------------------
for label, body in {"empty": "", "null": "null", "array": "[]", "string": '"x"', "number": "1e999999",
                    "truncated": '{"title":"t"', "trailing garbage": '{"title":"t","summary":"s","narrative":"n"} x',
                    "comment": '{/* c */"title":"t"}', "NaN": '{"title":NaN}', "single quotes": "{'title':'t'}",
                    "duplicate keys": '{"title":"a","title":"b","summary":"s","narrative":"n"}',
                    "huge number": '{"title":"t","summary":"s","narrative":"n","incident":{"time_to_detect_minutes":1e400}}',
                    "negative duration": '{"title":"t","summary":"s","narrative":"n","incident":{"time_to_detect_minutes":-5}}',
                    "float duration": '{"title":"t","summary":"s","narrative":"n","incident":{"time_to_detect_minutes":1.5}}',
                    "overflowing duration": '{"title":"t","summary":"s","narrative":"n","incident":{"time_to_detect_minutes":99999999999}}',
                    "unknown field": '{"title":"t","summary":"s","narrative":"n","__proto__":{}}',
                    "markdown not a string": '{"markdown":{"a":1}}', "markdown and fields": '{"markdown":"# t","title":"x"}'}.items():
    case(f"malformed JSON: {label}", "json", "POST", path="/api/v1/reports", headers=J, body=body, expect="4xx")

os.makedirs(os.path.dirname(os.path.abspath(__file__)), exist_ok=True)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.jsonl")
with open(out, "w") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=True) + "\n")
cats = {}
for c in cases:
    cats[c["category"]] = cats.get(c["category"], 0) + 1
print(len(cases), cats)
