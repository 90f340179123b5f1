"""Trim the JSON schemas pydantic generates, because ``tools/list`` is paid in every conversation.

Pydantic emits a ``title`` for every property and object (the name again), and spells an
optional argument as ``anyOf: [X, {type: null}]`` with ``default: null``. None of that helps a
model choose arguments. :func:`slim` removes it, keeping every description, type, bound and
allowed value. The server still *accepts* ``null`` for optional arguments: validation uses the
pydantic model, not the published schema.
"""

from typing import Any, cast


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and cast(dict[str, Any], schema).get("type") == "null"


def slim(schema: Any, *, descriptions: bool = True) -> Any:
    """A copy of ``schema`` without titles, null branches and ``default: null``.

    ``descriptions=False`` drops every description: output schemas are for validating programs,
    and what a field means is said once, in the result's text.
    """
    if isinstance(schema, list):
        return [slim(item, descriptions=descriptions) for item in cast(list[Any], schema)]
    if not isinstance(schema, dict):
        return schema
    node = cast(dict[str, Any], schema)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "description") and isinstance(value, str) and (key == "title" or not descriptions):
            continue
        if key == "properties" and isinstance(value, dict):
            properties = cast(dict[str, Any], value)
            out[key] = {name: slim(sub, descriptions=descriptions) for name, sub in properties.items()}
            continue
        out[key] = slim(value, descriptions=descriptions)
    branches = out.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in cast(list[Any], branches) if not _is_null(b)]
        if len(kept) == 1:
            del out["anyOf"]
            out = {**cast(dict[str, Any], kept[0]), **out}
        elif kept:
            out["anyOf"] = kept
    if "default" in out and out["default"] is None:
        del out["default"]
    return out
