"""Values of their own direction inside a sentence (issue 18).

A name, an address, a reference or a catalogue text in French shown inside an Arabic sentence
(or the reverse) is isolated so that the sentence around it keeps its order: `{{ value|bdi }}`
gives `<bdi>value</bdi>` (a `bdi` element takes its direction from its own text), and
`{{ value|bdi:"fr" }}` also says the language it is written in.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value, language: str = ""):
    if value is None or value == "":
        return ""
    if language:
        return format_html('<bdi lang="{}">{}</bdi>', language, value)
    return format_html("<bdi>{}</bdi>", value)
