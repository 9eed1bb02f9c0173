#!/usr/bin/env python3
"""Checks the layering of the build graph with `bazel query` (Note [Layers]).

Usage: check_layering.py OUT_DIR

tools > python > fit | interop > ops | io > core: no package depends on a layer above its own (nor
ops on io, io on ops, or interop on ops, io and fit), and mxinfer does not link MPI. Each rule is a test case; the cases are written as
JUnit XML to OUT_DIR/layering/test.xml (counted by count_tests.py as target //layering) and failures
are printed with the path of the offending dependency. Exits 1 when a rule fails.
"""
import os
import subprocess
import sys
from xml.sax.saxutils import quoteattr

# Build infrastructure (config settings, toolchain rules), not code: any layer may use it.
TOOLS = "(//tools/... except //tools/bazel/...)"

# (case name, layer, the packages it must not depend on).
RULES = [
    ("CoreDependsOnNoOtherLayer", "//core/...",
     f"//ops/... + //io/... + //fit/... + //interop/... + //python/... + {TOOLS}"),
    ("OpsDependOnCoreOnly", "//ops/...",
     f"//io/... + //fit/... + //interop/... + //python/... + {TOOLS}"),
    ("IoDependsOnCoreOnly", "//io/...",
     f"//ops/... + //fit/... + //interop/... + //python/... + {TOOLS}"),
    ("FitDependsOnNoToolOrPython", "//fit/...", f"//interop/... + //python/... + {TOOLS}"),
    ("InteropDependsOnCoreOnly", "//interop/...",
     f"//ops/... + //io/... + //fit/... + //python/... + {TOOLS}"),
    ("PythonDependsOnNoTool", "//python/...", TOOLS),
]


def query(expression):
    """The labels `bazel query` gives for `expression`; raises on a query error."""
    result = subprocess.run(["bazel", "query", "--noshow_progress", expression],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"bazel query '{expression}' failed:\n{result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def path_failure(expression, what):
    """None when the somepath `expression` is empty, else `what` with the path (or the error)."""
    try:
        path = query(expression)
    except RuntimeError as e:
        return str(e)
    return f"{what}: {' -> '.join(path)}" if path else None


def cases():
    """(name, failure text or None) for every rule."""
    for name, layer, above in RULES:
        yield name, path_failure(f"somepath({layer}, {above})",
                                 f"{layer} depends on a layer it must not")
    yield "MxinferLinksNoMpi", path_failure(
        "somepath(//tools/mxinfer, //third_party:openmpi)", "mxinfer links MPI")
    # The queries see real edges: mxtrain (dist_sync) does link MPI. Without this case a query that
    # silently matched nothing would pass every rule.
    try:
        seen = query("somepath(//tools/mxtrain, //third_party:openmpi)")
        failure = None if seen else ("somepath(//tools/mxtrain, //third_party:openmpi) is empty: "
                                     "the queries do not see the build graph")
    except RuntimeError as e:
        failure = str(e)
    yield "QueriesSeeTheGraph", failure


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = os.path.join(sys.argv[1], "layering")
    os.makedirs(out, exist_ok=True)
    results = list(cases())
    failed = [r for r in results if r[1]]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites tests="{len(results)}" failures="{len(failed)}">',
             f'  <testsuite name="Layering" tests="{len(results)}" failures="{len(failed)}">']
    for name, failure in results:
        lines.append(f'    <testcase name="{name}" status="run" classname="Layering">')
        if failure:
            lines.append(f'      <failure message={quoteattr(failure)}/>')
            print(f"layering: {name}: {failure}", file=sys.stderr)
        lines.append("    </testcase>")
    lines += ["  </testsuite>", "</testsuites>", ""]
    with open(os.path.join(out, "test.xml"), "w") as f:
        f.write("\n".join(lines))
    print(f"layering: {len(results) - len(failed)} of {len(results)} rules hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
