"""pycheck.py - what the Python checks of `make test` share: the binary's path, counted
checks and the closing report (exit status 1 when any check failed)."""
import os
import sys

BIN = os.environ.get("HS_BIN", "../build/hepatosim")
failures = []
counts = [0]


def check(cond, what):
    """Count one check; remember `what` when cond is false."""
    counts[0] += 1
    if not cond:
        failures.append(what)


def report(name):
    """Print the failures and the tally as `name: N passed, M failed`; exit 0 or 1."""
    for f in failures:
        print("FAIL:", f)
    print(f"{name}: {counts[0] - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)
