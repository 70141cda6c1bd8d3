"""A minimal HTML builder for the scorecard site: every string put into a page goes through
``esc`` (NFC, control characters dropped, ``& < > " '`` escaped) unless it is ``Html`` already,
i.e. markup this module built. Data (unit, procedure and field names, dossier codes) is hostile:
nothing reaches a page without passing here."""

from __future__ import annotations

import html
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VOID = frozenset({"meta", "link", "br", "hr", "img", "col", "input"})


class Html(str):
    """Markup that is safe to write as is (built by ``h`` or ``raw``)."""

    __slots__ = ()


def esc(value) -> Html:
    if isinstance(value, Html):
        return value
    text = _CONTROL.sub("", unicodedata.normalize("NFC", "" if value is None else str(value)))
    return Html(html.escape(text, quote=True))


def raw(markup: str) -> Html:
    """Markup written by this package itself (never data)."""
    return Html(markup)


def _attr_name(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def _children(items) -> list[Html]:
    out = []
    for c in items:
        if c is None or c is False:
            continue
        if isinstance(c, (list, tuple)):
            out.extend(_children(c))
        else:
            out.append(esc(c))
    return out


def h(tag: str, *children, **attrs) -> Html:
    """``h("a", "Sở Tư pháp", href="dv-STP.html", class_="unit")``; attributes whose value is
    None or False are left out, True writes the bare attribute; children may be nested lists."""
    parts = [f"<{tag}"]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = _attr_name(key)
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    parts.append(">")
    if tag in VOID:
        return Html("".join(parts))
    return Html("".join(parts) + "".join(_children(children)) + f"</{tag}>")


def join(*children) -> Html:
    return Html("".join(_children(children)))
