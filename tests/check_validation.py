#!/usr/bin/python3
"""check_validation.py - the validation guard of `make test` fails when it should.

validate.py --check runs the observations of validation/baseline.yaml and must exit 1
when one leaves its band. This runs it twice against copies of the data directory
(HEPATOSIM_DATA): unchanged (exit 0), and with fotemustine's hepatic first pass removed,
which must take fety1992_ftm_hai_extraction out of its published range (exit 1, the
observation named)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VALIDATE = os.path.join(ROOT, "validation", "validate.py")
BIN = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build", "hepatosim")


def check(data):
    env = dict(os.environ, HEPATOSIM_DATA=data)
    return subprocess.run(["/usr/bin/python3", VALIDATE, "--bin", BIN, "--check"],
                          capture_output=True, text=True, env=env)


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        shutil.copytree(os.path.join(ROOT, "model", "data"), data)
        p = check(data)
        if p.returncode != 0:
            print(f"FAIL unchanged library: exit {p.returncode}\n{p.stderr}")
            failed += 1
        path = os.path.join(data, "drugs", "fotemustine.yaml")
        text = open(path).read()
        text, n = re.subn(r"(hepatic_clint:\n  value: )[0-9.]+ L/h", r"\g<1>0 L/h", text)
        assert n == 1, "fotemustine.yaml: hepatic_clint not found"
        open(path, "w").write(text)
        p = check(data)
        if p.returncode != 1 or "fety1992_ftm_hai_extraction left its band" not in p.stderr:
            print(f"FAIL perturbed library: exit {p.returncode}\n{p.stdout}{p.stderr}")
            failed += 1
    print(f"validation guard: {2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
