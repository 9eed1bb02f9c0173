#!/usr/bin/env python3
"""Counts test cases (not targets) from the gtest and pytest XML files under bazel-testlogs.

Usage: count_tests.py TESTLOGS TARGET... [-- TESTLOGS TARGET...]  (one group per configuration).
Prints one line `N passed, N failed` and exits 1 when any case failed. A target that produced no
gtest cases (it crashed, timed out or failed to build) counts as one failed case.
"""
import os
import sys
import xml.etree.ElementTree as ET


def count(testlogs, targets):
    passed = failed = 0
    broken = []
    for target in targets:
        path = os.path.join(testlogs, target.lstrip("/").replace(":", "/"), "test.xml")
        cases, pytest = [], False
        try:
            root = ET.parse(path).getroot()
            cases = list(root.iter("testcase"))
            # gtest cases carry a status; pytest's JUnit cases sit in a suite named "pytest".
            pytest = any(s.get("name") == "pytest" for s in root.iter("testsuite"))
        except (OSError, ET.ParseError):
            pass
        gtest_cases = [c for c in cases if c.get("classname") and (pytest or c.get("status") is not None)]
        if not gtest_cases:  # Bazel's stand-in XML: the binary never reported its cases
            failed += 1
            broken.append(target)
            continue
        for case in gtest_cases:
            if (case.get("status") == "notrun" or case.get("result") == "skipped"
                    or case.find("skipped") is not None):
                continue
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
                print(f"FAILED: {target} {case.get('classname')}.{case.get('name')}")
            else:
                passed += 1
    for target in broken:
        print(f"FAILED: {target} reported no test cases (crash, timeout or build failure)")
    return passed, failed


def main():
    # Groups `TESTLOGS TARGET...` separated by `--` (one per Bazel configuration).
    passed = failed = 0
    args = sys.argv[1:]
    while args:
        end = args.index("--") if "--" in args else len(args)
        group, args = args[:end], args[end + 1:]
        if group:
            p, f = count(group[0], group[1:])
            passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
