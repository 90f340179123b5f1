"""The catalog history: what changed, when (issue 19)."""
