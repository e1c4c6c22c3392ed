"""What students wrote, made into inert HTML for the teacher's Formgrader pages.

Markdown a student typed is rendered, then cleaned against an allow-list; HTML a student's code
printed while it was graded is cleaned against the same list. Kept: the formatting answers need
(headings, lists, tables, emphasis, code, quotes, folding ``<details>``, links to web pages,
images embedded as ``data:`` URIs or next to the notebook). Every other tag (``<script>``,
``<iframe>``, ``<form>``, ``<svg>``...) is escaped: the teacher sees it as the text the student
typed, and it does nothing. Attributes not on the list (event handlers such as ``onerror``,
``style`` beyond a few harmless properties) and URLs with other schemes (``javascript:``) are
dropped; ``<style>`` elements are removed with their content (pandas prints one with every
table).
"""

from __future__ import annotations

import re

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from markupsafe import Markup
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code", "kbd", "samp", "em", "strong", "b", "i", "u", "s", "del", "ins",
    "sup", "sub", "mark", "small", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "a", "img", "span", "div", "details", "summary",
})
ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title", "width", "height"],
    "th": ["colspan", "rowspan", "align", "style"],
    "td": ["colspan", "rowspan", "align", "style"],
    "ol": ["start"],
    "*": ["class"],
}
for _heading in ("h1", "h2", "h3", "h4", "h5", "h6"):
    ATTRIBUTES[_heading] = ["id", "class"]
LINK_SCHEMES = ("http:", "https:", "mailto:")
DATA_IMAGE = re.compile(r"data:image/(png|jpe?g|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z", re.I)
LOCAL_FILE = re.compile(r"(?!/)(?!.*\.\.)[\w\-./\u4e00-\u9fff]+\Z")
"""A file beside the submitted notebook (``images/图1.png``): no scheme, no ``..``, not absolute."""
NO_ALT = "No description has been provided for this image"
"""nbconvert's alt text for an image without one."""
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.I | re.S)
CSS = CSSSanitizer(allowed_css_properties=["text-align", "vertical-align", "font-weight",
                                           "white-space"])


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if name not in ATTRIBUTES.get(tag, ()) and name not in ATTRIBUTES["*"]:
        return False
    if tag == "a" and name == "href":
        value = value.strip()
        return value.startswith("#") or value.lower().startswith(LINK_SCHEMES)
    if tag == "img" and name == "src":
        value = value.strip()
        return bool(DATA_IMAGE.match(value) or LOCAL_FILE.match(value))
    return True


_CLEANER = bleach.Cleaner(tags=TAGS, attributes=_attribute_allowed,
                          protocols=["http", "https", "mailto", "data"], strip=False,
                          strip_comments=True, css_sanitizer=CSS)


def clean(html: str) -> Markup:
    """``html`` with only the allowed elements and attributes left; other tags escaped."""
    return Markup(_CLEANER.clean(STYLE_ELEMENT.sub("", str(html))))  # noqa: S704 (cleaned)


def markdown(source: str, attachments: dict | None = None) -> Markup:
    """A student's markdown as clean HTML."""
    renderer = IPythonRenderer(escape=False, attachments=attachments or {},
                               exclude_anchor_links=True)
    html = MarkdownWithMath(renderer=renderer).render(str(source))
    return clean(html.replace(f'alt="{NO_ALT}"', 'alt="图片"'))


@pass_context
def markdown_filter(context, source: str) -> Markup:
    """The Jinja filter ``safe_markdown``: :func:`markdown` with the cell's attachments."""
    cell = context.get("cell") or {}
    return markdown(source, cell.get("attachments") or {})


def html_filter(html: str) -> Markup:
    """The Jinja filter ``safe_html``: :func:`clean`."""
    return clean(html)
