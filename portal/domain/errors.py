"""The one shape of the domain's input errors: a machine-readable ``code`` plus ``params``.

The web layer turns the code into a Dutch sentence; the domain never writes user-facing text.
"""

from __future__ import annotations

from typing import Any


class DomainError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{type(self).__name__}({self.code!r}{', ' if details else ''}{details})"

    def __str__(self) -> str:
        return repr(self)
