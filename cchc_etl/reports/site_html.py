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
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return Html(html.escape(text, quote=True))


def raw(markup: str) -> Html:
    """Markup written by this package itself (never data)."""
    return Html(markup)


_ATTR_NAMES: dict[str, str] = {}


def _attr_name(key: str) -> str:
    name = _ATTR_NAMES.get(key)
    if name is None:
        name = _ATTR_NAMES[key] = key.rstrip("_").replace("_", "-")
    return name


def _children(items, out: list) -> list:
    for c in items:
        if isinstance(c, Html):
            out.append(c)
        elif c is None or c is False:
            continue
        elif isinstance(c, (list, tuple)):
            _children(c, out)
        else:
            out.append(esc(c))
    return out


def h(tag: str, *children, **attrs) -> Html:
    """``h("a", "Sở Tư pháp", href="dv-STP.html", class_="unit")``; attributes whose value is
    None or False are left out, True writes the bare attribute; children may be nested lists."""
    parts = ["<", tag]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        parts.append(f" {_attr_name(key)}" if value is True else f' {_attr_name(key)}="{esc(value)}"')
    parts.append(">")
    if tag in VOID:
        return Html("".join(parts))
    _children(children, parts)
    parts.append(f"</{tag}>")
    return Html("".join(parts))


def join(*children) -> Html:
    return Html("".join(_children(children, [])))
