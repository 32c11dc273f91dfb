"""Run a snippet in a child interpreter under an address-space cap; report its peak RSS.

Hostile-input tests run here so that a regression fails the test (a MemoryError, a killed child)
instead of exhausting the machine that runs the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

_PRELUDE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
def peak_rss():
    # VmHWM is this process image's own high-water mark; ru_maxrss would also count the
    # parent's memory copied by the fork before exec.
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024
def report(**values):
    peak = peak_rss()
    sys.stdout.write("\\nRESULT " + json.dumps({{"peak_rss": peak, **values}}) + "\\n")
"""


def run_capped(code: str, cap_mb: int = 1536, timeout: float = 240) -> dict[str, Any]:
    """Run ``code`` (which calls ``report(**values)``) under ``cap_mb`` MiB of address space;
    returns the reported values with ``peak_rss`` in bytes."""
    prelude = _PRELUDE.format(cap=cap_mb << 20)
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(ln for ln in done.stdout.splitlines()[::-1] if ln.startswith("RESULT "))
    out: dict[str, Any] = json.loads(line[len("RESULT ") :])
    print(f"capped child: {out}", file=sys.stderr)  # shown with pytest -s: the measured bound
    return out
