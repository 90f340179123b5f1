"""Upstream records → what a language model reads: list rows and table lines (:mod:`.compact`),
and the detail record of ``get_model`` with its text (:mod:`.detail`)."""
