"""Compile the analyzer's compiled core (``_fast.c``) in place, next to its source.

    python service/analysis/build_fast.py      (``make install`` and ``make install-dev`` run it)

A plain C extension, built with the C compiler and headers of the running Python (no Cython, no
setuptools): the project is installed in editable mode, so ``service.analysis._fast`` is imported from
the source tree. Without it the analyzer runs its pure-Python fast path, with identical output.
Rebuilds only when the source is newer than the library; writes to a temporary file first, so a running
process never sees half a library.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "_fast.c"
TARGET = HERE / f"_fast{sysconfig.get_config_var('EXT_SUFFIX')}"


def build(force: bool = False) -> bool:
    """Compile unless the library is newer than its source; True if it compiled."""
    if not force and TARGET.exists() and TARGET.stat().st_mtime >= SOURCE.stat().st_mtime:
        return False
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    partial = TARGET.with_name(TARGET.name + ".partial")
    command = [
        *compiler,
        "-O2",
        "-fPIC",
        "-shared",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        f"-I{sysconfig.get_paths()['include']}",
        str(SOURCE),
        "-o",
        str(partial),
    ]
    subprocess.run(command, check=True)
    partial.replace(TARGET)
    return True


if __name__ == "__main__":
    if build(force="--force" in sys.argv[1:]):
        print(f"built {TARGET.relative_to(HERE.parents[1])}")
