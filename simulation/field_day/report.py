"""What a simulated field day reports: its counts, the consistency checks' findings, a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from simulation.field_day.tablets import TabletPlan


@dataclass
class FieldDayReport:
    """What happened, and whether the end state is right (`ok`)."""

    tablets: list[TabletPlan]
    days: int
    drop_rate: float
    seed: int | str
    seconds: float = 0.0
    recorded: Counter[str] = field(default_factory=Counter)
    edited: int = 0
    deleted: int = 0
    staff: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    records_sent: int = 0
    batches: int = 0
    resends: int = 0
    splits: int = 0
    interrupted: int = 0
    requests: int = 0
    lost_requests: int = 0
    lost_responses: int = 0
    cut_chunks: int = 0
    # files: what the tablets took and named, and how the uploads went
    files_taken: int = 0  # distinct per tablet
    file_bytes_taken: int = 0
    files_named: int = 0  # references added to records
    files_uploaded: int = 0
    file_bytes_uploaded: int = 0
    chunk_bytes_sent: int = 0
    file_resumes: int = 0
    file_restarts: int = 0
    file_dedupes: int = 0
    files_refused: int = 0
    conflicts: Counter[str] = field(default_factory=Counter)
    notices: int = 0
    rejected_fixed: int = 0
    rejected_discarded: int = 0
    rejections_left: int = 0
    still_held: int = 0
    final_rounds: int = 0
    sent_records: int = 0
    on_server: int = 0
    in_quarantine: int = 0
    never_sent: int = 0
    files_checked: int = 0  # distinct files taken or named by a record
    files_whole: int = 0  # ... on the server, their sha256 matching the tablet's bytes
    files_waiting: int = 0  # left in tablets' file outboxes
    lost: list[str] = field(default_factory=list)
    divergent: dict[str, list[str]] = field(default_factory=dict)
    compared: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.lost and not any(self.divergent.values())

    def summary(self) -> list[str]:
        outcomes = " · ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"
        conflicts = ", ".join(f"{k} {v}" for k, v in sorted(self.conflicts.items())) or "none"
        lines = [
            "Summary",
            f"  recorded offline   {self.recorded['accident']} accidents, "
            f"{self.recorded['victim']} victims, {self.recorded['assistance']} assistance; "
            f"{self.edited} edits, {self.deleted} deletes",
            f"  NRA staff          verified {self.staff['verified']}, edited "
            f"{self.staff['edited']}, deleted {self.staff['deleted']} (on the server)",
            f"  records sent       {self.records_sent} in {self.batches} batches "
            f"({self.resends} resends, {self.splits} splits, {self.interrupted} syncs "
            "interrupted)",
            f"  outcomes           {outcomes}",
            f"  conflicts          {sum(self.conflicts.values())} kept for NRA review "
            f"({conflicts}); {self.notices} shown to surveyors",
            f"  held               {self.outcomes['held']} answered held, "
            f"{self.still_held} still waiting for a parent",
            f"  rejected           {self.outcomes['rejected']} answered rejected: "
            f"{self.rejected_fixed} fixed and sent again, {self.rejected_discarded} given up, "
            f"{self.rejections_left} still shown (their record left the tablet's view)",
            f"  files              {self.files_taken} taken ({_mb(self.file_bytes_taken)}), "
            f"named {self.files_named} times: {self.files_uploaded} uploaded "
            f"({_mb(self.file_bytes_uploaded)}; {_mb(self.chunk_bytes_sent)} of chunks sent), "
            f"{self.file_resumes} resumes, {self.file_restarts} new uploads, "
            f"{self.file_dedupes} dedupes, {self.files_refused} refused",
            f"  link               {self.requests} requests: {self.lost_requests} lost on the "
            f"way ({self.cut_chunks} file chunks cut mid-way), {self.lost_responses} responses "
            "lost",
            "Consistency",
        ]
        for plan in self.tablets:
            problems = self.divergent.get(plan.username, [])
            mark = "OK" if not problems else "DIFFERS"
            lines.append(
                f"  {plan.username:<16} {plan.organisation:<8} "
                f"{self.compared.get(plan.username, 0):>4} records == fresh pull: {mark}"
            )
            lines.extend(f"      {problem}" for problem in problems)
        lines.append(
            f"  nothing lost       {self.sent_records} distinct records sent: {self.on_server} "
            f"on the server, {self.in_quarantine} only in conflict/quarantine, {len(self.lost)} "
            f"lost ({self.never_sent} deleted on the tablet before any sync)"
        )
        lines.append(
            f"  files whole        {self.files_checked} distinct files taken or named: "
            f"{self.files_whole} on the server whole (sha256 of the tablet's bytes), "
            f"{self.files_waiting} left in tablet outboxes"
        )
        lines.extend(f"      LOST {entry}" for entry in self.lost[:10])
        lines.append(
            f"RESULT: {'OK' if self.ok else 'FAILED'} "
            f"({self.seconds:.1f} s, {self.final_rounds} final sync rounds)"
        )
        return lines


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
