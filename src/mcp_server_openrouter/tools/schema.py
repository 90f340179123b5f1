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
    """An argument's schema without its description and allowed values (a string ``enum`` becomes a
    string as long as the longest value), keeping types and bounds: for an argument another tool
    already describes. Clients that check arguments still can; the server refuses a value outside
    the set with the allowed values named."""
    out = {k: v for k, v in schema.items() if k not in ("description", "enum")}
    values = schema.get("enum")
    if isinstance(values, list):
        out["type"] = "string"
        out["maxLength"] = max(len(str(v)) for v in cast(list[Any], values))
    items = out.get("items")
    if isinstance(items, dict):
        out["items"] = brief(cast(dict[str, Any], items))
    return out


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
