#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Checks one output of `mhs grade`: check_result.py FORMAT FILE [EXPECT...]
#   json       the JSON result; EXPECT: full | below | zero | error
#   gradescope Gradescope's results.json fields (score, output, tests with
#              name, score, max_score, output, visibility)
#   junit      JUnit XML structure (testsuites/testsuite/testcase, counts)
#   field      print a field of a JSON result: check_result.py field FILE KEY
import json
import sys
import xml.etree.ElementTree as ET

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def die(msg):
    print("check_result: " + msg, file=sys.stderr)
    sys.exit(1)


def check_json(path, expect):
    r = json.load(open(path))
    for key in ("lab", "title", "score", "max_score", "error", "seeds", "checks"):
        if key not in r:
            die(f"{path}: no '{key}'")
    total = sum(c["score"] for c in r["checks"])
    if abs(total - r["score"]) > 1e-9:
        die(f"{path}: check scores add to {total}, not {r['score']}")
    if abs(sum(c["max_score"] for c in r["checks"]) - r["max_score"]) > 1e-9:
        die(f"{path}: max scores do not add up")
    for c in r["checks"]:
        if c["max_score"] > 0 and c["passed"] != (c["score"] == c["max_score"]):
            die(f"{path}: check {c['name']} passed/score disagree")
    if expect == "full":
        if r["error"] is not None or r["score"] != r["max_score"] or not all(
                c["passed"] for c in r["checks"]):
            failed = [c["name"] + ": " + c["output"] for c in r["checks"] if not c["passed"]]
            die(f"{path}: not full marks: {r['score']}/{r['max_score']} {r['error']} {failed}")
    elif expect == "below":
        if not r["score"] < r["max_score"]:
            die(f"{path}: the start state scores full marks")
    elif expect in ("zero", "error"):
        if r["score"] != 0 or any(c["passed"] for c in r["checks"]):
            die(f"{path}: a broken submission scored {r['score']}")
        if expect == "error" and not r["error"]:
            die(f"{path}: no error message")


def check_gradescope(path):
    r = json.load(open(path))
    if not isinstance(r.get("score"), (int, float)) or not isinstance(r.get("output"), str):
        die(f"{path}: score (number) and output (string) are required")
    tests = r.get("tests")
    if not isinstance(tests, list) or not tests:
        die(f"{path}: no tests")
    for t in tests:
        for key, kind in (("name", str), ("score", (int, float)), ("max_score", (int, float)),
                          ("output", str), ("visibility", str)):
            if not isinstance(t.get(key), kind):
                die(f"{path}: test without a valid '{key}': {t}")
        if t["visibility"] not in VISIBILITY:
            die(f"{path}: bad visibility {t['visibility']}")
        if not 0 <= t["score"] <= t["max_score"]:
            die(f"{path}: score out of range in {t['name']}")
    if abs(sum(t["score"] for t in tests) - r["score"]) > 1e-9:
        die(f"{path}: test scores do not add to the score")


def check_junit(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        die(f"{path}: root is {root.tag}")
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        if int(suite.get("tests")) != len(cases):
            die(f"{path}: tests={suite.get('tests')} but {len(cases)} testcases")
        fails = sum(1 for c in cases if c.find("failure") is not None)
        errors = sum(1 for c in cases if c.find("error") is not None)
        if int(suite.get("failures")) != fails or int(suite.get("errors")) != errors:
            die(f"{path}: failure/error counts disagree")
        for c in cases:
            if not c.get("name") or len(list(c)) > 1:
                die(f"{path}: bad testcase")


if __name__ == "__main__":
    fmt, path = sys.argv[1], sys.argv[2]
    if fmt == "json":
        check_json(path, sys.argv[3] if len(sys.argv) > 3 else "")
    elif fmt == "gradescope":
        check_gradescope(path)
    elif fmt == "junit":
        check_junit(path)
    elif fmt == "field":
        v = json.load(open(path))[sys.argv[3]]
        print("" if v is None else v)
    else:
        die("unknown format " + fmt)
