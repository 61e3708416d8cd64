"""render: an Answer and a locale -> text (Jinja2 templates, Babel catalogs and formats,
bidi isolation for Arabic), the JSON object of an answer, the conversation as Markdown, the
step-time chart. Knows the answers and the data in them, nothing of the conversation."""

from advisor.render.text import Renderer, render, shown_as

__all__ = ["Renderer", "render", "shown_as"]
