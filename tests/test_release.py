"""What a release publishes: one version everywhere, the MCP Registry's server.json, the artifacts."""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema

import mcp_server_openrouter

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


def configuration_table() -> dict[str, str]:
    """The README's Configuration table: each variable and its default."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", section, re.MULTILINE)
    return {name: default.strip().strip("`") for name, default in rows}


def test_server_json_declares_the_stdio_environment_variables_of_the_readme() -> None:
    variables: dict[str, Any] = {v["name"]: v for v in SERVER["packages"][0]["environmentVariables"]}
    documented = {k: v for k, v in configuration_table().items() if k.startswith("OPENROUTER_")}

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
