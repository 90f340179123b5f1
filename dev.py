#!/usr/bin/env python3
"""Bootstrap and run the project with nothing but Python 3.11+ and access to PyPI.

    python3 dev.py test                 # lint, type-check and test everything (what CI runs)
    python3 dev.py bench                # print the benchmark tables (tokens, latency/memory/scaling, load)
    python3 dev.py release              # build and check the sdist, wheel and .mcpb into dist/, with SHA256SUMS
    python3 dev.py <server arguments>   # run mcp-server-openrouter, e.g. `query list_models '{}'`

It installs uv into ``.bootstrap/`` (once), then lets uv create ``.venv`` from ``uv.lock``
(exact, locked versions) and runs the command there. With uv already on PATH it uses that one.
Before the tests it installs Debian's ``chromium`` for the browser test (tests/test_picker_ui.py)
when it is missing and can be installed: as root, with apt-get. Elsewhere that test skips, saying
why, except under CI, where it fails. Standard library only: this file runs before anything is
installed.
"""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".bootstrap"
UV_VERSION = "0.13.9"
BIN = "Scripts" if os.name == "nt" else "bin"
CHROMIUM = Path("/usr/bin/chromium")


def _uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    uv = BOOTSTRAP / BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not uv.exists():
        print(f"dev.py: installing uv {UV_VERSION} into {BOOTSTRAP.name}/ (once)", file=sys.stderr)
        venv.create(BOOTSTRAP, with_pip=True, clear=True)
        subprocess.run(
            [str(BOOTSTRAP / BIN / "python"), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"], check=True
        )
    return str(uv)


def _chromium() -> None:
    """Debian's chromium for the browser test, when it is missing and this is root with apt-get.

    ``apt-get update`` only when the install fails without it (no package lists yet, or stale
    ones naming versions the mirror no longer has). A failure is reported, not fatal here: the
    browser test then says what is missing (and fails under CI).
    """
    if CHROMIUM.exists() or os.name == "nt" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    print("dev.py: installing Debian's chromium for the browser test (once)", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait = ["-o", "DPkg::Lock::Timeout=300"]  # for another apt-get (an unattended upgrade) to finish
    install = ["apt-get", *wait, "install", "-y", "-q", "--no-install-recommends", "chromium"]

    def run(command: list[str], *, quiet: bool = False) -> bool:
        errors = subprocess.DEVNULL if quiet else None
        done = subprocess.run(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, check=False
        )
        return done.returncode == 0

    # The first try is quiet: without package lists it fails, as expected, and the second says why if it fails too.
    if run(install, quiet=True) or (run(["apt-get", *wait, "update", "-q"]) and run(install)):
        return
    print("dev.py: could not install chromium; the browser test will say so", file=sys.stderr, flush=True)


def _run(*command: str) -> None:
    print("+", " ".join(command), file=sys.stderr, flush=True)
    code = subprocess.run(command, cwd=ROOT).returncode
    if code:
        sys.exit(code)


def main(argv: list[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 is
        sys.exit("dev.py: Python 3.11 or newer is needed")
    uv = _uv()
    uv_run = [uv, "run", "--locked", "--python", sys.executable]
    if argv[:1] == ["test"]:
        _run(uv, "sync", "--locked", "--all-groups", "--python", sys.executable, "--quiet")
        _run(*uv_run, "ruff", "format", "--check", "src", "tests", "bench", "scripts", "dev.py")
        _run(*uv_run, "ruff", "check", "src", "tests", "bench", "scripts", "dev.py")
        _run(*uv_run, "pyright")
        _chromium()
        _run(*uv_run, "pytest", "--cov", "--cov-report=term", *argv[1:])
    elif argv[:1] == ["bench"]:
        _run(uv, "sync", "--locked", "--all-groups", "--python", sys.executable, "--quiet")
        for module in ("bench.tokens", "bench.perf", "bench.load", "bench.history"):
            _run(*uv_run, "python", "-m", module)
    elif argv[:1] == ["release"]:
        _run(uv, "sync", "--locked", "--all-groups", "--python", sys.executable, "--quiet")
        _run(*uv_run, "python", "scripts/release.py", *argv[1:])
    else:
        _run(*uv_run, "mcp-server-openrouter", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
