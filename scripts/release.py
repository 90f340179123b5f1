"""Build and check the release artifacts: the sdist, the wheel built from it, and the MCP Bundle.

    python3 dev.py release [--out-dir DIR]     # default dist/

First it checks that the package, manifest.json and server.json give one version and that
CHANGELOG.md has a section for it. Then `uv build` makes the sdist and, from the sdist, the wheel;
`twine check --strict` checks both and `check-wheel-contents` the wheel; the pinned MCPB CLI
(interop/) packs `mcp-server-openrouter-VERSION.mcpb`. It writes SHA256SUMS (the format
`sha256sum -c` reads) and prints each artifact with its size and SHA-256. Nothing is uploaded:
the release workflow does that from a version tag. Needs uv, node and npm; no network once the
locked packages and interop/node_modules are in place.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / "interop"
MCPB_CLI = INTEROP / "node_modules/@anthropic-ai/mcpb/dist/cli/cli.js"
NAME = "mcp-server-openrouter"


def versions() -> dict[str, str]:
    """Every place that states the version, and what it says."""
    init = (ROOT / "src/mcp_server_openrouter/__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"$', init, re.MULTILINE)
    manifest = json.loads((ROOT / "manifest.json").read_text())
    server = json.loads((ROOT / "server.json").read_text())
    found = {"src/mcp_server_openrouter/__init__.py": match.group(1) if match else "(none)"}
    found["manifest.json"] = manifest["version"]
    found["server.json"] = server["version"]
    for package in server["packages"]:
        found[f"server.json package {package['identifier']}"] = package["version"]
    return found


def changelog_has_section(version: str, changelog: str) -> bool:
    return re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE) is not None


def checked_version() -> str:
    found = versions()
    if len(set(found.values())) != 1:
        raise SystemExit("release: the versions differ:\n" + "\n".join(f"  {k}: {v}" for k, v in found.items()))
    (version,) = set(found.values())
    if not changelog_has_section(version, (ROOT / "CHANGELOG.md").read_text()):
        raise SystemExit(f"release: CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD'")
    return version


def uv() -> str:
    """uv sets UV for what it runs; otherwise the one on PATH or the one dev.py installed."""
    bootstrap = ROOT / ".bootstrap" / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    found = os.environ.get("UV") or shutil.which("uv") or (str(bootstrap) if bootstrap.exists() else None)
    if found is None:
        raise SystemExit("release: uv is needed (python3 dev.py release installs it)")
    return found


def run(*command: str) -> None:
    print("+", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, cwd=ROOT, stdin=subprocess.DEVNULL)


def mcpb_cli() -> list[str]:
    if not MCPB_CLI.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("release: node and npm are needed to pack the bundle")
        run(npm, "ci", "--prefix", str(INTEROP), "--no-audit", "--no-fund", "--loglevel=error")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("release: node is needed to pack the bundle")
    return [node, str(MCPB_CLI)]


def build(out: Path, version: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("mcp_server_openrouter-*"), *out.glob(f"{NAME}-*.mcpb"), out / "SHA256SUMS"]:
        old.unlink(missing_ok=True)
    run(uv(), "build", "--quiet", "--out-dir", str(out), str(ROOT))  # the sdist, then the wheel from it
    (sdist,) = out.glob(f"mcp_server_openrouter-{version}.tar.gz")
    (wheel,) = out.glob(f"mcp_server_openrouter-{version}-*.whl")
    run(sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel))
    run(sys.executable, "-m", "check_wheel_contents", str(wheel))
    bundle = out / f"{NAME}-{version}.mcpb"
    run(*mcpb_cli(), "pack", str(ROOT), str(bundle))
    return [sdist, wheel, bundle]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="release", description="Build and check the release artifacts.")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "dist", help="where they go (default: dist/)")
    args = parser.parse_args(argv)
    out: Path = args.out_dir.resolve()
    version = checked_version()
    artifacts = build(out, version)
    sums = "".join(f"{sha256(a)}  {a.name}\n" for a in artifacts)
    (out / "SHA256SUMS").write_text(sums, newline="\n")
    print(f"{NAME} {version}: {out}")
    for artifact in artifacts:
        print(f"{artifact.name}  {artifact.stat().st_size} bytes  sha256 {sha256(artifact)}")


if __name__ == "__main__":
    main(sys.argv[1:])
