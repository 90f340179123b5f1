"""What a release publishes: one version everywhere, the MCP Registry's server.json, the artifacts."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import mcp_server_openrouter
from scripts import release as release_script

ROOT = Path(__file__).resolve().parent.parent
SERVER = json.loads((ROOT / "server.json").read_text())
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SCHEMA_FILE = ROOT / "schemas/mcp-registry/2025-12-11/server.schema.json"
README = (ROOT / "README.md").read_text()


def test_the_package_manifest_and_server_json_have_one_version() -> None:
    version = mcp_server_openrouter.__version__
    assert MANIFEST["version"] == version
    assert SERVER["version"] == version
    assert [p["version"] for p in SERVER["packages"]] == [version]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/mcp_server_openrouter/__init__.py"


def test_the_bundled_schema_is_the_registry_schema_of_2025_12_11() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["$id"] == SCHEMA_URL
    assert SERVER["$schema"] == SCHEMA_URL


def test_server_json_follows_the_registry_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    # Any: jsonschema's overloads leave pyright a partly unknown type.
    validator: Any = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(SERVER)]
    assert errors == []
    # The check itself: a server.json the registry refuses is refused here too.
    assert not validator.is_valid({**SERVER, "packages": [{**SERVER["packages"][0], "version": "latest"}]})
    assert not validator.is_valid({**SERVER, "description": "x" * 101})


def test_server_json_runs_the_pypi_package_with_uvx_over_stdio() -> None:
    (package,) = SERVER["packages"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert package["registryType"] == "pypi"
    assert package["identifier"] == pyproject["project"]["name"]
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}
    assert pyproject["project"]["scripts"] == {package["identifier"]: "mcp_server_openrouter.__main__:main"}


def configuration_table(*, stdio: bool = False) -> dict[str, str]:
    """The README's Configuration table: each variable and its default (``stdio``: only those that
    apply to a stdio server, not the rows marked "HTTP transports")."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \| ([^|]+)", section, re.MULTILINE)
    return {
        name: default.strip().strip("`")
        for name, default, meaning in rows
        if not (stdio and meaning.strip().startswith("HTTP transports"))
    }


def test_server_json_declares_the_stdio_environment_variables_of_the_readme() -> None:
    variables: dict[str, Any] = {v["name"]: v for v in SERVER["packages"][0]["environmentVariables"]}
    documented = {k: v for k, v in configuration_table(stdio=True).items() if k.startswith("OPENROUTER_")}

    assert list(variables) == list(documented)  # the HTTP transports' MCP_* variables do not apply to stdio
    key = variables["OPENROUTER_API_KEY"]
    assert (key["isSecret"], key["isRequired"]) == (True, False)
    assert not any(v.get("isSecret") for name, v in variables.items() if name != "OPENROUTER_API_KEY")
    for name, default in documented.items():
        if default[:1].isascii() and default != "user cache dir":
            assert variables[name]["default"] == default, name


def test_the_readme_carries_the_registry_ownership_line_into_the_pypi_description() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["readme"] == "README.md"  # PyPI's long description, where the registry looks
    assert f"mcp-name: {SERVER['name']}" in README
    assert SERVER["name"].endswith("/" + pyproject["project"]["name"])


def test_the_release_checks_that_the_versions_agree_and_the_changelog_has_the_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert release_script.checked_version() == mcp_server_openrouter.__version__
    assert release_script.changelog_has_section("1.2.3", "# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2027-01-31\n")
    assert not release_script.changelog_has_section("1.2.3", "## [Unreleased]\n\n## [1.2.30] - 2027-01-31\n")
    assert not release_script.changelog_has_section("1.2.3", "## [1.2.3]\n")  # dated

    copy = tmp_path / "checkout"
    for name in ("manifest.json", "server.json", "CHANGELOG.md", "src/mcp_server_openrouter/__init__.py"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, copy / name)
    monkeypatch.setattr(release_script, "ROOT", copy)
    changelog = (copy / "CHANGELOG.md").read_text()
    (copy / "CHANGELOG.md").write_text(changelog.replace(f"## [{mcp_server_openrouter.__version__}]", "## [0.0.9]"))
    with pytest.raises(SystemExit, match=r"CHANGELOG.md has no section"):
        release_script.checked_version()
    (copy / "CHANGELOG.md").write_text(changelog)
    (copy / "server.json").write_text(json.dumps({**SERVER, "version": "9.9.9"}))
    with pytest.raises(SystemExit, match=r"versions differ:\n.*\n.*\n  server.json: 9.9.9"):
        release_script.checked_version()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_release_builds_checks_and_hashes_the_sdist_the_wheel_and_the_bundle(release: tuple[Path, str]) -> None:
    out, printed = release
    version = mcp_server_openrouter.__version__
    artifacts = [
        f"mcp_server_openrouter-{version}.tar.gz",
        f"mcp_server_openrouter-{version}-py3-none-any.whl",
        f"mcp-server-openrouter-{version}.mcpb",
    ]
    # uv build leaves a .gitignore ("*") in the folder it builds into.
    assert sorted(p.name for p in out.iterdir()) == sorted([*artifacts, "SHA256SUMS", ".gitignore"])
    assert (out / "SHA256SUMS").read_text() == "".join(f"{sha256(out / name)}  {name}\n" for name in artifacts)
    for name in artifacts:
        assert f"{name}  {(out / name).stat().st_size} bytes  sha256 {sha256(out / name)}" in printed
    # twine check --strict on both, check-wheel-contents on the wheel: each stops the release on a finding.
    assert printed.count("PASSED") == 2, printed
    assert f"{out / artifacts[1]}: OK" in printed


def source_files() -> set[str]:
    package = ROOT / "src"
    return {
        p.relative_to(package).as_posix()
        for p in (package / "mcp_server_openrouter").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_holds_the_package_with_its_data_and_nothing_else(wheel: Path) -> None:
    names = wheel_files(wheel)
    dist_info = f"mcp_server_openrouter-{mcp_server_openrouter.__version__}.dist-info/"
    assert {n for n in names if not n.startswith(dist_info)} == source_files()
    assert {
        "mcp_server_openrouter/data/catalog-snapshot.json.gz",
        "mcp_server_openrouter/data/history-seed.json.gz",
    } <= names
    assert {n.removeprefix(dist_info) for n in names if n.startswith(dist_info)} == {
        "METADATA",
        "WHEEL",
        "RECORD",
        "entry_points.txt",
        "licenses/LICENSE",
    } - ({"licenses/LICENSE"} if not (ROOT / "LICENSE").exists() else set())


def test_the_wheel_built_from_the_sdist_is_the_wheel_built_from_the_source(
    release: tuple[Path, str], wheel: Path
) -> None:
    (from_sdist,) = release[0].glob("*.whl")
    assert wheel_files(from_sdist) == wheel_files(wheel)
    with zipfile.ZipFile(from_sdist) as a, zipfile.ZipFile(wheel) as b:
        for name in sorted(wheel_files(wheel) - {n for n in wheel_files(wheel) if n.endswith("RECORD")}):
            assert a.read(name) == b.read(name), name


def test_the_sdist_holds_what_a_build_and_the_registry_need(release: tuple[Path, str]) -> None:
    version = mcp_server_openrouter.__version__
    with tarfile.open(release[0] / f"mcp_server_openrouter-{version}.tar.gz") as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "manifest.json", "server.json", "PKG-INFO"} <= names
    assert "schemas/mcp-registry/2025-12-11/server.schema.json" in names
    assert {n for n in names if n.startswith("src/")} == {f"src/{f}" for f in source_files()}
    assert not any(n.startswith((".venv/", ".git/", "interop/node_modules/", "dist/")) for n in names)


WORKFLOWS = ROOT / ".github/workflows"


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is in the dev group: uv sync --all-groups"
    workflows = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert [Path(p).name for p in workflows] == ["ci.yml", "release.yml"]
    done = subprocess.run(
        [found, "-no-color", *workflows], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def quick_start_test_command() -> str:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (command,) = [line for line in quick_start.splitlines() if line.startswith("python3 dev.py test")]
    return command


def test_ci_runs_the_readme_test_command_on_every_os_and_supported_python() -> None:
    ci = (WORKFLOWS / "ci.yml").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    classifiers = pyproject["project"]["classifiers"]
    pythons = [
        c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]

    assert quick_start_test_command() == "python3 dev.py test"
    assert re.findall(r"^\s+run: (python3 dev\.py .*)$", ci, re.MULTILINE) == [quick_start_test_command()]
    assert "os: [ubuntu-latest, macos-latest, windows-latest]" in ci
    assert f"python: [{', '.join(json.dumps(p) for p in pythons)}]" in ci
    assert pythons == ["3.11", "3.12", "3.13"]
    assert (ROOT / ".ci/run").read_text().rstrip().endswith(f"exec {quick_start_test_command()}")


def test_the_release_workflow_tests_builds_and_publishes_from_a_version_tag_without_secrets() -> None:
    release = (WORKFLOWS / "release.yml").read_text()
    assert 'tags: ["v*"]' in release
    assert f"run: {quick_start_test_command()}" in release
    assert "run: python3 dev.py release" in release
    assert "environment:\n      name: pypi" in release
    assert release.count("id-token: write") == 2  # PyPI trusted publishing, the registry's GitHub OIDC
    assert "uses: pypa/gh-action-pypi-publish@release/v1" in release
    assert "./*.mcpb SHA256SUMS" in release
    assert "./mcp-publisher login github-oidc" in release
    assert "./mcp-publisher publish" in release
    assert "secrets." not in release
