# SPDX-License-Identifier: MIT
# Structural checks of an mhs HTML report against the trace it was made
# from: the sections exist, every inline SVG parses as XML, nothing is
# loaded from outside, the one script is the report's own, hostile text
# from the trace is text (no element or attribute came from it), and the
# counts (messages, recipients, expectations, sessions, records per kind)
# match the trace and the run's text summary.
# Usage: check_report.py REPORT.html TRACE.jsonl SUMMARY.txt [TEXT ...]
# Each TEXT must appear, decoded, in the report's text.
import json
import re
import sys
import xml.dom.minidom
from html.parser import HTMLParser

report, trace_path, summary_path = sys.argv[1:4]
must_show = sys.argv[4:]
html = open(report, encoding="utf-8").read()
recs = [json.loads(l) for l in open(trace_path, encoding="utf-8") if l.strip()]
summary = open(summary_path, encoding="utf-8").read()


class Doc(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict)
        self.text = []
        self.scripts = []
        self.in_script = False
        self.stack = []
        self.classes_text = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        self.in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


doc = Doc()
doc.feed(html)
doc.close()
text = "".join(doc.text)
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def ids(tag=None, cls=None):
    out = []
    for t, a in doc.tags:
        if (tag is None or t == tag) and (cls is None or cls in a.get("class", "").split()):
            out.append(a)
    return out


# 1. A self-contained, responsive page.
check(html.startswith("<!DOCTYPE html>"), "no HTML 5 doctype")
check(any(t == "meta" and a.get("name") == "viewport" for t, a in doc.tags), "no viewport meta")
check(any(t == "meta" and a.get("charset") == "utf-8" for t, a in doc.tags), "no charset")
check("@media print" in html, "no print style")
check("@media (max-width" in html, "no narrow-screen style")
for t, a in doc.tags:
    check(t not in ("link", "img", "iframe", "object", "embed"), "external element <%s>" % t)
    check("src" not in a, "a src attribute on <%s>" % t)
    href = a.get("href") or a.get("xlink:href")
    check(href is None or href.startswith("#"), "a link out of the page: %r" % href)
    for k in a:
        check(not k.startswith("on"), "an event handler attribute %s on <%s>" % (k, t))
check(len(doc.scripts) == 1, "%d script elements, want the report's one" % len(doc.scripts))
check(all("alert" not in s for s in doc.scripts), "a script from the trace")
check("url(" not in re.sub(r"url\(#[A-Za-z0-9_-]+\)", "", html), "a url() that is not a fragment")

# 2. The sections, each present once.
for sec in ["summary", "expectations", "diagrams", "messages", "verdicts", "sessions", "records"]:
    n = sum(1 for t, a in doc.tags if t == "section" and a.get("id") == sec)
    check(n == 1, "section %s appears %d times" % (sec, n))
all_ids = [a["id"] for t, a in doc.tags if "id" in a]
check(len(all_ids) == len(set(all_ids)), "duplicate ids: %s" %
      sorted({i for i in all_ids if all_ids.count(i) > 1})[:5])

hrefs = {a["href"][1:] for t, a in doc.tags if t == "a" and a.get("href", "").startswith("#")}
check(hrefs <= set(all_ids), "links to no element: %s" % sorted(hrefs - set(all_ids))[:5])

# 3. Every inline SVG parses as XML.
svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
for s in svgs:
    try:
        xml.dom.minidom.parseString(s)
    except Exception as e:  # noqa: BLE001 - report which one failed
        errors.append("an SVG does not parse: %s: %s" % (e, s[:80]))
check(len(svgs) == sum(1 for t, _ in doc.tags if t == "svg"), "svg tag count mismatch")

# 4. Counts against the trace and the run's text summary.
kinds = {}
for r in recs:
    kinds[r["ev"]] = kinds.get(r["ev"], 0) + 1
msgs = re.search(r"^messages: (\d+); recipients: (\d+) delivered, (\d+) rejected, "
                 r"(\d+) bounced, (\d+) queued", summary, flags=re.M)
check(msgs is not None, "no summary line in the run's output")
articles = ids("article", "msg")
if msgs:
    check(len(articles) == int(msgs.group(1)),
          "%d message articles, the run had %s messages" % (len(articles), msgs.group(1)))
    cards = {name: num for num, name in
             re.findall(r'<div class="card"><b[^>]*>(\d+)</b>([a-z]+)</div>', html)}
    for i, name in enumerate(["delivered", "rejected", "bounced", "queued"]):
        check(cards.get(name) == msgs.group(i + 2),
              "%s: report %s, run %s" % (name, cards.get(name), msgs.group(i + 2)))
    check(cards.get("messages") == msgs.group(1), "messages card")
submitted = {r["msg"] for r in recs if r["ev"] in ("msg.submit", "msg.dsn")}
check({a["id"] for a in articles} >= {"msg-" + re.sub(r"[^A-Za-z0-9-]",
      lambda m: "_%02X" % ord(m.group(0)), i) for i in submitted}, "a submitted message has no article")
expects = [r for r in recs if r["ev"] == "run.expect"]
rows = ids("tr", "expect")
check(len(rows) == len(expects), "%d expectation rows, %d in the trace" % (len(rows), len(expects)))
held = sum(1 for r in expects if r["held"])
check(re.search(r'id="expect-count"><b class="[a-z]+">%d/%d</b>' % (held, len(expects)), html)
      is not None, "expectation count card")
conns = {r["conn"] for r in recs if "conn" in r}
sessions = ids("details", "session")
check(len(sessions) == min(len(conns), 200), "%d sessions, %d connections in the trace"
      % (len(sessions), len(conns)))
for kind, n in kinds.items():
    anchor = "kind-" + re.sub(r"[^A-Za-z0-9-]", lambda m: "_%02X" % ord(m.group(0)), kind)
    m = re.search(r'<details class="kind" id="%s"><summary><code>[^<]*</code> \((\d+)\)'
                  % re.escape(anchor), html)
    check(m is not None and int(m.group(1)) == n,
          "kind %s: %s in the report, %d in the trace" % (kind, m and m.group(1), n))

# 5. Hostile and expected texts are shown as text.
for t in must_show:
    check(t in text, "text not shown: %r" % t)

if errors:
    print("\n".join("report: " + e for e in errors))
    sys.exit(1)
print("report: %s: %d sections, %d SVGs, %d messages, %d sessions, %d kinds checked"
      % (report, 7, len(svgs), len(articles), len(sessions), len(kinds)))
