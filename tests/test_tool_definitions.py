"""What every conversation pays for: the tool definitions from tools/list."""

from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from .fake_upstream import FakeOpenRouter
from .helpers import TOOL_NAMES, server_for

pytestmark = pytest.mark.anyio

PER_REQUEST = ("input_images", "output_images", "web_searches")


async def test_exactly_the_catalog_tools_are_listed(client: Client) -> None:
    tools = (await client.list_tools()).tools

    assert [t.name for t in tools] == TOOL_NAMES


async def test_tools_are_read_only_open_world_titled_and_described(client: Client) -> None:
    for tool in (await client.list_tools()).tools:
        assert tool.title
        assert tool.description
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.open_world_hint is None  # the spec's default, true: said by saying nothing
        assert tool.output_schema is not None


async def test_every_argument_has_a_description_and_closed_sets_list_their_values(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}

    for tool in tools.values():
        for name, prop in tool.input_schema["properties"].items():
            brief = (
                tool.name in ("count_models", "recommend_models", "list_model_rankings", "list_catalog_changes")
                and name in tools["list_models"].input_schema["properties"]
            )  # list_models' filters, described there (see the next test)
            partner = tool.input_schema["properties"].get(name.replace("min_", "max_", 1), {})
            described = prop.get("description") or (name.startswith("min_") and partner.get("description"))
            # What needs no words: a closed set listing its values, a bounded row count, or a count the
            # tool's description says is per request.
            plain = (
                "enum" in prop
                or (name == "limit" and "maximum" in prop)
                or (name in PER_REQUEST and "counts are per request" in (tool.description or ""))
            )
            assert brief or described or plain, (tool.name, name)  # a lower bound is described by its upper one
    props = tools["list_models"].input_schema["properties"]
    assert len(props["category"]["enum"]) == 12
    assert len(props["sort"]["enum"]) == 12
    assert "tools" in props["supported_parameters"]["items"]["enum"]
    assert "all" in props["output_modalities"]["items"]["enum"]
    assert "text" in props["output_modalities"]["description"]
    assert (props["limit"]["default"], props["limit"]["maximum"]) == (25, 100)
    assert props["offset"]["minimum"] == 0


async def test_tools_taking_list_models_filters_publish_them_in_brief_and_point_there(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    listed = tools["list_models"].input_schema["properties"]
    counted = tools["count_models"].input_schema["properties"]

    assert "same names and meanings" in (tools["count_models"].description or "")
    assert "Constraints as in list_models" in (tools["recommend_models"].description or "")
    assert set(counted) == set(listed) - {"sort", "limit", "offset"}
    for tool in ("count_models", "recommend_models"):
        for name, prop in tools[tool].input_schema["properties"].items():
            if name not in listed or name == "limit":  # recommend_models' own limit is its own
                continue
            # The type alone: values, bounds and meaning are published once, in list_models.
            assert prop == {"type": listed[name].get("type", "string")}, name


async def test_schemas_carry_no_titles_or_null_branches(client: Client) -> None:
    for tool in (await client.list_tools()).tools:
        dumped = tool.model_dump_json(by_alias=True, exclude_none=True)
        assert '"title":"' not in dumped.replace(f'"title":"{tool.title}"', "")
        assert '{"type":"null"}' not in dumped


async def test_every_list_and_free_string_argument_is_bounded(client: Client) -> None:
    def strings_and_lists(schema: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = [(where, schema)] if schema.get("type") in ("array", "string") else []
        if isinstance(schema.get("items"), dict):
            found += strings_and_lists(schema["items"], f"{where}[]")
        return found

    checked = 0
    tools = (await client.list_tools()).tools
    listed = next(t for t in tools if t.name == "list_models").input_schema["properties"]
    for tool in tools:
        for name, prop in tool.input_schema["properties"].items():
            if tool.name != "list_models" and name in listed and "description" not in prop:
                continue  # published in brief: bounded where described (list_models), and checked by the server
            for where, node in strings_and_lists(prop, f"{tool.name}.{name}"):
                checked += 1
                if node["type"] == "array":
                    assert 1 <= node.get("maxItems", 0) <= 50, where
                elif "enum" not in node:
                    assert 1 <= node.get("maxLength", 0) <= 200, where
    assert checked >= 10


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_prompts_capability_is_advertised_and_served_in_both_eras(
    upstream: FakeOpenRouter, mode: str
) -> None:
    async with Client(server_for(upstream), mode=mode) as client:  # type: ignore[arg-type]
        assert client.server_capabilities.prompts is not None
        assert client.server_capabilities.tools is not None
        listed = (await client.list_prompts()).prompts
        rendered = await client.get_prompt("compare-models", {"ids": "openai/gpt-4o"})
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("compare-models", {})
    assert [p.name for p in listed] == ["pick-model", "compare-models", "workload-cost", "whats-new"]
    assert len(rendered.messages) == 1
    assert caught.value.error.code == INVALID_PARAMS  # not an internal error, in either era


async def test_input_schemas_refuse_unknown_arguments(client: Client) -> None:
    for tool in (await client.list_tools()).tools:
        assert tool.input_schema.get("additionalProperties") is False, tool.name


async def test_output_schemas_say_what_each_row_holds(client: Client) -> None:
    schemas = {t.name: t.output_schema or {} for t in (await client.list_tools()).tools}

    for name in ("list_models", "list_models_for_user", "list_model_endpoints"):
        properties = schemas[name]["properties"]
        assert properties["columns"] == {"type": "array", "items": {"type": "string"}}, name
        assert properties["rows"] == {"type": "array", "items": {"type": "array"}}, name
        assert "source" in properties, name
    assert "legend" in schemas["list_model_endpoints"]["properties"]
    assert schemas["estimate_cost"]["properties"]["estimates"] == {"type": "array", "items": {"type": "object"}}
    assert schemas["get_model"]["properties"]["models"] == {"type": "array", "items": {"type": "object"}}
