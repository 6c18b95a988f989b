#!/bin/sh
# SPDX-License-Identifier: MIT
# The user documentation covers what the program accepts and writes:
# 1. every key the scenario loader accepts (its ScenarioField tables and
#    the keys it reads directly, app/scenario*.c) is named in a code span
#    of scenarios/README.md;
# 2. every trace kind that the scenarios under tests/scenarios/ and the
#    labs (merged with their start files) write, and every kind passed
#    literally to world_trace()/sim_trace_begin(), has a row in
#    docs/trace.md;
# 3. every command of `mhs help`, every subcommand and every long option
#    of `mhs help CMD [SUB]` is in docs/cli.md;
# 4. every link between the documents (README.md, scenarios/, labs/,
#    docs/) reaches an existing file and heading.
# Each miss is listed; any miss fails the test.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
src="$MHS_SOURCE_DIR"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is absent: documentation not checked"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Trace kinds written by real runs: every scenario of the tests, then
# each lab's scenario merged with its start files. Runs may fail their
# expectations or be refused (scenarios made to be wrong); only their
# traces count.
: >"$tmp/all.jsonl"
find "$src/tests/scenarios" -name '*.yaml' | sort >"$tmp/scenarios"
while read -r f; do
    "$MHS" run -q "$f" --trace "$tmp/t.jsonl" >/dev/null 2>&1 || true
    if [ -f "$tmp/t.jsonl" ]; then
        cat "$tmp/t.jsonl" >>"$tmp/all.jsonl"
        rm -f "$tmp/t.jsonl"
    fi
done <"$tmp/scenarios"
nlabs=0
for d in "$src"/labs/*/; do
    [ -f "$d/lab.yaml" ] && [ -d "$d/start" ] || continue
    rm -f "$tmp/merged.yaml"
    MHS_GRADE_TIMEOUT=60 "$MHS" grade "$d" --submission "$d/start" \
        --merged "$tmp/merged.yaml" >/dev/null 2>&1 || true
    [ -f "$tmp/merged.yaml" ] || { echo "FAIL: $d: no merged scenario" >&2; exit 1; }
    "$MHS" run -q "$tmp/merged.yaml" --trace "$tmp/t.jsonl" >/dev/null 2>&1 || true
    [ -f "$tmp/t.jsonl" ] && cat "$tmp/t.jsonl" >>"$tmp/all.jsonl"
    rm -f "$tmp/t.jsonl"
    nlabs=$((nlabs + 1))
done
[ "$nlabs" -gt 0 ] || { echo "FAIL: no lab found under labs/" >&2; exit 1; }

# The CLI's own help: commands, subcommands, options.
"$MHS" help >"$tmp/help" 2>&1 || true
awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' \
    "$tmp/help" >"$tmp/commands"
[ -s "$tmp/commands" ] || { echo "FAIL: 'mhs help' lists no command" >&2; exit 1; }
: >"$tmp/cli"
while read -r c; do
    echo "command $c" >>"$tmp/cli"
    [ "$c" = help ] && continue
    "$MHS" help "$c" >"$tmp/h" 2>&1 || true
    sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z0-9][a-z0-9-]*\).*/option \2/p' "$tmp/h" |
        sed "s/^option /option $c /" >>"$tmp/cli"
    # Subcommands: the description's "  CMD SUB ..." lines.
    for s in $(sed -n "s/^  $c \([a-z][a-z0-9-]*\).*/\1/p" "$tmp/h" | sort -u); do
        echo "subcommand $c $s" >>"$tmp/cli"
        "$MHS" help "$c" "$s" >"$tmp/hs" 2>&1 || true
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z0-9][a-z0-9-]*\).*/option \2/p' "$tmp/hs" |
            sed "s/^option /option $c $s /" >>"$tmp/cli"
    done
done <"$tmp/commands"

python3 - "$src" "$tmp/all.jsonl" "$tmp/cli" <<'PY'
import json, os, re, sys, glob

src, traces, cli = sys.argv[1], sys.argv[2], sys.argv[3]

def read(path):
    with open(os.path.join(src, path), encoding="utf-8") as f:
        return f.read()

def code_words(md):
    """Words inside `code spans`, fenced blocks left out."""
    md = re.sub(r"^```.*?^```", "", md, flags=re.S | re.M)
    words = set()
    for span in re.findall(r"`([^`\n]+)`", md):
        words.update(re.findall(r"[A-Za-z0-9_]+", span))
    return words

missing = []

# 1. Scenario keys.
keys = set()
for path in sorted(glob.glob(os.path.join(src, "app", "scenario*.c"))):
    text = open(path, encoding="utf-8").read()
    keys.update(re.findall(r'\{\s*"([A-Za-z0-9_]+)"\s*,\s*scenario_set_', text))
    keys.update(re.findall(r'scenario_map_(?:get|key)\([^;"]*?,\s*"([A-Za-z0-9_]+)"\s*\)', text))
if len(keys) < 50:
    sys.exit("FAIL: only %d scenario keys found in app/scenario*.c" % len(keys))
documented = code_words(read("scenarios/README.md"))
for k in sorted(keys - documented):
    missing.append("scenarios/README.md: scenario key '%s'" % k)

# 2. Trace kinds: from runs, and literal kinds in the code.
kinds = set()
with open(traces, encoding="utf-8") as f:
    for line in f:
        kinds.add(json.loads(line)["ev"])
if len(kinds) < 30:
    sys.exit("FAIL: the runs wrote only %d trace kinds" % len(kinds))
lit = re.compile(r'(?:world_trace|sim_trace_begin)\((?:[^;"]*?,)?\s*"([a-z][a-z0-9_.-]*)"')
for layer in ("sim", "nodes", "app"):
    for path in sorted(glob.glob(os.path.join(src, layer, "*.[ch]"))):
        kinds.update(lit.findall(open(path, encoding="utf-8").read()))
trace_md = read("docs/trace.md")
rows = set(re.findall(r"^\|\s*`([^`]+)`\s*\|", trace_md, flags=re.M))
for k in sorted(kinds - rows):
    missing.append("docs/trace.md: trace kind '%s' has no row" % k)

# 3. Commands and options.
cli_md = read("docs/cli.md")
for line in open(cli, encoding="utf-8"):
    parts = line.split()
    if parts[0] == "command":
        if not re.search(r"\bmhs %s\b" % re.escape(parts[1]), cli_md):
            missing.append("docs/cli.md: command 'mhs %s'" % parts[1])
    elif parts[0] == "subcommand":
        if not re.search(r"\b%s %s\b" % (re.escape(parts[1]), re.escape(parts[2])), cli_md):
            missing.append("docs/cli.md: subcommand 'mhs %s %s'" % (parts[1], parts[2]))
    elif parts[0] == "option":
        opt = parts[-1]
        if opt == "help":
            continue
        if not re.search(r"(?<![A-Za-z0-9-])--%s(?![a-z0-9-])" % re.escape(opt), cli_md):
            missing.append("docs/cli.md: option --%s of 'mhs %s'" % (opt, " ".join(parts[1:-1])))

# 4. Links between and inside the documents: files exist, #anchors are
#    headings (GitHub's slugs: lower case, punctuation dropped, spaces
#    become hyphens, repeats get -1, -2...).
def anchors(text):
    found, seen = set(), {}
    for h in re.findall(r"^#+ (.*)$", text, flags=re.M):
        s = re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        n = seen.get(s, 0)
        found.add(s if n == 0 else "%s-%d" % (s, n))
        seen[s] = n + 1
    return found

def unfenced(text):
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)

docs = ["README.md", "scenarios/README.md", "labs/README.md"]
docs += sorted(os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "docs", "*.md")))
for doc in docs:
    text = unfenced(read(doc))
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", link):
            continue
        path, _, frag = link.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
        if not os.path.exists(os.path.join(src, target)):
            missing.append("%s: link to missing file '%s'" % (doc, link))
        elif frag and target.endswith(".md") and frag not in anchors(unfenced(read(target))):
            missing.append("%s: link to missing heading '%s'" % (doc, link))

print("checked %d scenario keys, %d trace kinds, %d commands/options"
      % (len(keys), len(kinds), sum(1 for _ in open(cli, encoding="utf-8"))))
for m in missing:
    print("FAIL: not documented: " + m, file=sys.stderr)
sys.exit(1 if missing else 0)
PY
