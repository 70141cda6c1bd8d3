"""Credentials out of every text that is printed, logged or stored: :func:`redact`.

Every message, log line and Dagster metadata value that may carry a connection string or an
exception's text goes through :func:`redact`. It masks, anywhere in a text:

- the password of a URL's user info: ``postgresql://u:X@h/db`` -> ``postgresql://u:***@h/db``
  (also ``postgresql+psycopg://``, ``postgres://``, any ``scheme://``);
- a URL without ``@`` whose authority still carries ``user:secret`` (``postgresql://u:X/db``,
  where ``X`` is no port number);
- secret parameters, in a URL query (``?password=X``, ``&sslpassword=X``) or a libpq conninfo
  (``host=h password=X``, ``password = 'a b'``): ``password``, ``sslpassword``, ``passfile``,
  ``sslkey``, ``sslcert`` and other names ending in ``password``/``passwd``/``secret``/``token``;
- with ``known``: every literal occurrence of the secrets of those URLs or conninfos (a parser
  that echoes a fragment of its input, e.g. libpq's ``missing "=" after "X"``).

Masked values become ``***``; user names, hosts, ports and database names stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

MASK = "***"

# parameter names whose values are secrets (URL query and libpq conninfo keywords)
_SECRET_KEY = r"(?:[a-z_]*pass(?:word|wd)?|passfile|sslkey|sslcert|sslpassword|[a-z_]*secret|[a-z_]*token|api_?key|pwd)"
_PARAM = re.compile(
    rf"(?P<key>(?<![A-Za-z0-9_]){_SECRET_KEY})(?P<eq>\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|[^\s&;,'\")]*)",
    re.IGNORECASE,
)
# a URL: scheme "://" and everything up to white space or a quote
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>[^\s'\"<>`]*)")
_PORT = re.compile(r"\d*")


def _redact_authority(rest: str) -> str:
    """``rest`` is a URL after ``scheme://``: its user-info password masked."""
    cut = len(rest)
    for sep in "?#":
        at = rest.find(sep)
        if at != -1:
            cut = min(cut, at)
    head, tail = rest[:cut], rest[cut:]
    if "@" in head:
        creds, host = head.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":" + MASK
        return f"{creds}@{host}{tail}"
    authority, slash, path = head.partition("/")
    if ":" in authority and not authority.endswith("]"):  # no "@": host:port, unless what follows ":" is no port (a password)
        host, _, port = authority.rpartition(":")
        if not _PORT.fullmatch(port):
            authority = authority.split(":", 1)[0] + ":" + MASK
    return f"{authority}{slash}{path}{tail}"


def _known_secrets(known: Iterable[str]) -> list[str]:
    """The secret values (passwords, secret parameters) of URLs or conninfo strings."""
    out: set[str] = set()
    for text in known:
        if not text:
            continue
        for m in _URL.finditer(text):
            rest = m.group("rest")
            head = re.split(r"[?#]", rest, maxsplit=1)[0]
            creds = head.rsplit("@", 1)[0] if "@" in head else head.partition("/")[0]
            if ":" in creds:
                secret = creds.split(":", 1)[1]
                if secret and not ("@" not in head and _PORT.fullmatch(secret)):
                    out.update({secret, unquote(secret)})
        for m in _PARAM.finditer(text):
            value = m.group("value").strip("'\"")
            if value:
                out.update({value, unquote(value)})
    return sorted((s for s in out if len(s) >= 3), key=len, reverse=True)


def redact(text: object, *, known: Iterable[str] = ()) -> str:
    """``text`` (a URL, a conninfo, a message, an exception's text) with every credential masked.

    ``known``: URLs or conninfo strings whose secret values are masked wherever they appear.
    """
    text = "" if text is None else str(text)
    for secret in _known_secrets(known):
        text = text.replace(secret, MASK)
    text = _URL.sub(lambda m: m.group("scheme") + _redact_authority(m.group("rest")), text)
    return _PARAM.sub(lambda m: m.group("key") + m.group("eq") + (MASK if m.group("value") else ""), text)


def redact_url(url: object) -> str:
    """A connection string as shown in messages: :func:`redact` of it when it is a URL
    (``scheme://…``) or a well-formed libpq conninfo; otherwise a placeholder, since nothing
    tells which part of a malformed string is the password."""
    text = "" if url is None else str(url).strip()
    if not text or _URL.match(text):
        return redact(text)
    try:
        from psycopg.conninfo import conninfo_to_dict

        conninfo_to_dict(text)
    except Exception:  # noqa: BLE001 - any parse failure: not shown
        return "<chuỗi kết nối không hợp lệ, không hiển thị / malformed connection string, not shown>"
    return redact(text)


def redact_exception(exc: BaseException, *, known: Iterable[str] = ()) -> str:
    """An exception's text, on one line, with every credential masked; ``known``: as in :func:`redact`."""
    return redact(" ".join(str(exc).split()), known=known)


def redact_parser_error(exc: BaseException, source: str) -> str:
    """The text of a parser's error about ``source``, with its quoted fragments of the input
    dropped as well (libpq: ``missing "=" after "…"``)."""
    text = redact_exception(exc, known=[source])
    return re.sub(r"\"[^\"]*\"|'[^']*'", '"…"', text)


def exception_leaks(exc: BaseException, *, known: Iterable[str] = ()) -> bool:
    """Whether the text of ``exc`` or of any exception it was raised from or during carries a credential."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if redact(str(e), known=known) != str(e):
            return True
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    return False


__all__ = ["MASK", "exception_leaks", "redact", "redact_exception", "redact_parser_error", "redact_url"]
