"""The one exception the core raises for bad input: a stable code plus the values its
localized message needs. The shell renders it with templates/error.j2."""

from __future__ import annotations


class AdvisorError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"AdvisorError({self.code!r}, {self.params!r})"
