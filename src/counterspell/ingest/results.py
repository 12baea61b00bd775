"""What an ingest run reports: per file (posts, duplicates, problems) and in total."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import Place
from ..lake.manifest import ProblemRecord

if TYPE_CHECKING:
    pass


MAX_PROBLEMS_PER_FILE = 10_000


@dataclass
class FileOutcome:
    path: str
    size: int = 0
    sha256: str | None = None
    format: str | None = None
    status: str = "ingested"  # ingested | already | error
    error: str | None = None
    forced_mismatch: bool = False  # --format named a format this file is not in
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    notices: int = 0
    problems: list[ProblemRecord] = field(default_factory=list)
    index: int = -1  # position in the run, which buffered rows use to find their file

    def add_problem(self, kind: str, place: Place, reason: str, snippet: str | None = None) -> None:
        if kind == "quarantine":
            self.quarantined += 1
        else:
            self.notices += 1
        if len(self.problems) < MAX_PROBLEMS_PER_FILE:
            self.problems.append(
                ProblemRecord(
                    kind, place.file, reason, place.line, place.offset, place.record, snippet
                )
            )


@dataclass
class IngestResult:
    run_id: str
    files: list[FileOutcome]

    @property
    def errors(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "error"]

    def by_format(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for f in self.files:
            row = table.setdefault(
                f.format or "(unreadable)",
                dict.fromkeys(
                    ("files", "added", "duplicates", "quarantined", "notices", "errors"), 0
                ),
            )
            row["files"] += 1
            row["added"] += f.added
            row["duplicates"] += f.duplicates
            row["quarantined"] += f.quarantined
            row["notices"] += f.notices
            row["errors"] += f.status == "error"
        return table

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


class Progress(Protocol):
    def file_started(self, path: str, index: int, total: int) -> None: ...
    def posts_read(self, count: int) -> None: ...
    def file_done(self, outcome: FileOutcome) -> None: ...


class _Quiet:
    def file_started(self, path: str, index: int, total: int) -> None:
        pass

    def posts_read(self, count: int) -> None:
        pass

    def file_done(self, outcome: FileOutcome) -> None:
        pass
