"""Stored text carries its language (WCAG 3.1.2).

What people wrote and what a picture or an annual report froze (category names,
headlines, texts) is in the collaboration's language, settings.SAMSYN_CONTENT_LANGUAGE (Swedish). On a
page in another language, the element that holds it says so:
`<td{% stored_lang %}>{{ c.name }}</td>`.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


def stored_language() -> str:
    """The language stored text is written in."""
    return str(settings.SAMSYN_CONTENT_LANGUAGE).split("-")[0]


@register.simple_tag
def stored_lang() -> SafeString:
    """` lang="sv"` when the page is in another language than stored text, else ""."""
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if page == stored_language():
        return SafeString("")
    return format_html(' lang="{}"', stored_language())
