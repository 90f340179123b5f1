"""Trim the JSON schemas pydantic generates, because ``tools/list`` is paid in every conversation.

Pydantic emits a ``title`` for every property and object (the name again), a ``type`` beside
every ``enum`` of strings (the values say it), and spells an optional argument as
``anyOf: [X, {type: null}]`` with ``default: null``. None of that helps a
model choose arguments. :func:`slim` removes it, keeping every description, type, bound and
allowed value. The server still *accepts* ``null`` for optional arguments: validation uses the
pydantic model, not the published schema.

:func:`inline_refs` replaces ``$ref``s to ``$defs`` by the definitions themselves (our schemas
use each definition once): fewer tokens, and clients' JSON-schema validators no longer resolve a
reference per record (it was most of a warm ``list_models`` call's client-side cost).
"""

from typing import Any, cast


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and cast(dict[str, Any], schema).get("type") == "null"


def slim(schema: Any, *, descriptions: bool = True, required: bool = True) -> Any:
    """A copy of ``schema`` without titles, null branches and ``default: null``.

    ``descriptions=False`` drops every description: output schemas are for validating programs and
    what a field means is said in the result itself; arguments another tool's schema already
    describes need not say it twice. ``required=False`` (output schemas) drops ``required`` lists:
    results built from our own models always carry their fields.
    """
    if isinstance(schema, list):
        return [slim(item, descriptions=descriptions, required=required) for item in cast(list[Any], schema)]
    if not isinstance(schema, dict):
        return schema
    node = cast(dict[str, Any], schema)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "description") and isinstance(value, str) and (key == "title" or not descriptions):
            continue
        if key == "required" and not required:
            continue  # output schemas: our results always carry their fields; every token of tools/list counts
        if key == "properties" and isinstance(value, dict):
            properties = cast(dict[str, Any], value)
            out[key] = {
                name: slim(sub, descriptions=descriptions, required=required) for name, sub in properties.items()
            }
            continue
        out[key] = slim(value, descriptions=descriptions, required=required)
    branches = out.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in cast(list[Any], branches) if not _is_null(b)]
        if len(kept) == 1:
            del out["anyOf"]
            out = {**cast(dict[str, Any], kept[0]), **out}
        elif kept:
            out["anyOf"] = kept
    if "default" in out and (out["default"] is None or (out["default"] == 0 and out.get("minimum") == 0)):
        del out["default"]  # null, or 0 for a count from 0: what "not given" means anyway
    if "enum" in out and out.get("type") == "string":
        del out["type"]  # the values say it
    return out


def brief(schema: dict[str, Any]) -> dict[str, Any]:
    """An argument's JSON type alone (an ``enum`` of strings: ``string``), for an argument another
    tool already describes, with its values and bounds. Every client can check it; the server checks
    the rest (the same pydantic types as the tool that describes it) and refuses a value outside
    them naming what is allowed. Measured: ``count_models``' 25 filters went from 373 tokens with
    bounds and lengths to 212 with types alone."""
    return {"type": schema.get("type", "string")}


def shallow(schema: dict[str, Any]) -> dict[str, Any]:
    """An output schema reduced to its shape: each field's JSON type and, for a list, the type of
    what it holds (rows are lists of cells; the records of ``estimate_cost`` and ``get_model`` are
    objects); no bounds, defaults or nested properties.

    Output schemas let programs check a result's shape; what each field and cell means is said in
    the result itself (its legend, its columns). Everything past the shape cost every conversation
    tokens of ``tools/list`` for nothing a model reads: 150 of them for the eight tools. Results are
    still validated against it, in clients and in the tests.
    """

    def typed(node: dict[str, Any]) -> dict[str, Any]:
        return {"type": node["type"]} if "type" in node else {}

    properties = cast(dict[str, Any], schema.get("properties", {}))
    out: dict[str, Any] = {}
    for name, sub in properties.items():
        field = typed(cast(dict[str, Any], sub))
        items = cast(dict[str, Any], sub).get("items")
        if isinstance(items, dict) and "type" in items:
            field["items"] = typed(cast(dict[str, Any], items))
        out[name] = field
    return {"type": "object", "properties": out}


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every local ``$ref`` replaced by its definition and ``$defs`` dropped.

    Only for non-recursive schemas (ours); a recursive one would not terminate.
    """
    defs = cast(dict[str, Any], schema.get("$defs", {}))

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in cast(list[Any], node)]
        if not isinstance(node, dict):
            return node
        mapping = cast(dict[str, Any], node)
        ref = mapping.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            rest = {k: v for k, v in mapping.items() if k != "$ref"}
            return {**resolve(defs[ref.removeprefix("#/$defs/")]), **resolve(rest)}
        return {k: resolve(v) for k, v in mapping.items() if k != "$defs"}

    return cast(dict[str, Any], resolve(schema))
