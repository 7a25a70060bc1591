"""Validation reports, shared by both SHACL engines (and free of rdflib, for fast builds)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: what failed, where, and why."""

    focus_node: str
    path: str | None
    constraint: str
    message: str
    severity: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.focus_node + (f" {self.path}" if self.path else "")
        return f"{self.severity}: {where}: {self.message} [{self.constraint}]"


@dataclass(frozen=True)
class ValidationReport:
    """Whether the graph conforms, and each result (empty when it conforms)."""

    conforms: bool
    results: tuple[ValidationResult, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """A readable report, one line per result."""
        if self.conforms:
            return "The graph conforms to its shapes."
        lines = [f"The graph does not conform: {len(self.results)} result(s)."]
        lines += [f"  {result}" for result in self.results]
        return "\n".join(lines)
