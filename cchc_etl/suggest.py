"""Unknown codes (indicator, unit, methodology version, source): the closest valid ones, for
messages that say what to type instead."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(code: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The valid codes closest to ``code``: those that start with it or contain it first (an
    abbreviation such as ``ON_TIME``), then by similarity (difflib), case ignored."""
    known = sorted(set(known))
    folded = {k.casefold(): k for k in known}
    wanted = code.casefold().strip()
    if not wanted:
        return known[:n]
    prefix = [folded[k] for k in sorted(folded) if k.startswith(wanted) and k != wanted]
    inside = [folded[k] for k in sorted(folded) if wanted in k and not k.startswith(wanted)]
    similar = [folded[k] for k in difflib.get_close_matches(wanted, list(folded), n=n, cutoff=0.5)]
    out: list[str] = []
    for k in prefix + inside + similar:
        if k not in out:
            out.append(k)
    return out[:n]


def did_you_mean(code: str, known: Iterable[str]) -> str:
    """``"; có phải / did you mean: A, B?"`` for a message about an unknown ``code``, or ``""``."""
    found = closest(code, known)
    return f"; có phải / did you mean: {', '.join(found)}?" if found else ""


class UnknownCode(KeyError):
    """A code that is not among the valid ones; its message names the closest. A ``KeyError`` for
    callers that look codes up, printed without the quotes ``KeyError`` adds."""

    def __init__(self, what: str, code: str, known: Iterable[str], *, context: str = ""):
        known = sorted(set(known))
        self.code, self.known, self.suggestions = code, known, closest(code, known)
        hint = (did_you_mean(code, known) if self.suggestions
                else f"; hợp lệ / valid: {', '.join(known[:12])}{', …' if len(known) > 12 else ''}" if known else "")
        self.message = f"{what} {code!r}{(' ' + context) if context else ''}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


__all__ = ["UnknownCode", "closest", "did_you_mean"]
