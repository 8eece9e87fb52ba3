"""Checks ``restore_window`` and ``restore_preview``: what a restore could reach today.

A backup set restores to any point from its ``MIN_RESTORE_SCN`` on, replaying archived logs from
its ``START_REPLAY_SCN``: so a set counts only when one unbroken run of archive pieces covers
``[START_REPLAY_SCN, MIN_RESTORE_SCN]``, and the window it opens ends where that run ends.
Pieces that do not touch leave a gap no restore can cross. ``--restore-to TIME`` picks the
newest set that reaches TIME and the pieces it would replay (a preview of ``ALTER SYSTEM
RESTORE ... UNTIL TIME``, read-only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.evidence.kinds import Kind
from obdoctor.check.base import CheckContext, settings
from obdoctor.check.model import CheckResult, Status
from obdoctor.evidence.records import ArchivePiece, BackupSetFile
from obdoctor.rules.base import Chain, fmt_time

CHECK = "restore_window"
PREVIEW = "restore_preview"
_SET_COLUMNS = ("tenant_id", "backup_set_id", "backup_type", "status", "file_status", "min_restore")
_PIECE_COLUMNS = ("tenant_id", "round_id", "piece_id", "status", "file_status", "start", "checkpoint")


@dataclass
class Piece:
    record: ArchivePiece
    dest_no: int | None
    start: datetime
    end: datetime

    def to_dict(self) -> dict:
        return {"dest_no": self.dest_no, "round_id": self.record.round_id, "piece_id": self.record.piece_id,
                "start": self.start, "end": self.end}


@dataclass
class Run:
    """Archive pieces that follow each other without a hole: logs can be replayed across them."""

    start: datetime
    end: datetime
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class SetPoint:
    record: BackupSetFile
    replay_from: datetime
    min_restore: datetime
    run: Run | None
    """The run covering [replay_from, min_restore]; None = the set cannot be restored."""


@dataclass
class Window:
    tenant_id: int
    sets: list[SetPoint]
    runs: list[Run]
    unusable_sets: list[BackupSetFile]
    unusable_pieces: list[ArchivePiece]

    @property
    def covered(self) -> list[SetPoint]:
        return [s for s in self.sets if s.run is not None]

    @property
    def earliest(self) -> datetime | None:
        return min((s.min_restore for s in self.covered), default=None)

    @property
    def latest(self) -> datetime | None:
        return max((s.run.end for s in self.covered), default=None)

    def gaps(self) -> list[tuple[datetime, datetime]]:
        return [(a.end, b.start) for a, b in zip(self.runs, self.runs[1:])]

    def choose(self, when: datetime) -> SetPoint | None:
        """The newest set that restores to ``when`` (the restore needs the least replay from it)."""
        fits = [s for s in self.covered if s.min_restore <= when <= s.run.end]
        return max(fits, key=lambda s: s.min_restore, default=None)


def _runs(pieces: list[Piece]) -> list[Run]:
    runs: list[Run] = []
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        if runs and piece.start <= runs[-1].end:
            runs[-1].end = max(runs[-1].end, piece.end)
            runs[-1].pieces.append(piece)
        else:
            runs.append(Run(piece.start, piece.end, [piece]))
    return runs


def build_window(ctx: CheckContext, tenant_id: int) -> Window:
    policy = settings()["restore_window"]
    pieces, bad_pieces = [], []
    for p in ctx.evidence.get(Kind.ARCHIVE_PIECES):
        if p.tenant_id != tenant_id:
            continue
        start, end = ctx.point(p.start_scn, p.start), ctx.point(p.checkpoint_scn, p.checkpoint)
        if (p.file_status or "AVAILABLE") not in policy["usable_piece_file_status"] or start is None or end is None:
            bad_pieces.append(p)
            continue
        raw = ctx.raw(p)
        pieces.append(Piece(p, raw.integer("DEST_NO") if raw is not None else None, start, end))
    # one destination's pieces make a chain; several destinations: the one reaching furthest
    by_dest: dict[int | None, list[Piece]] = {}
    for piece in pieces:
        by_dest.setdefault(piece.dest_no, []).append(piece)
    runs = max((_runs(group) for group in by_dest.values()), key=lambda rs: rs[-1].end, default=[])
    sets, bad_sets = [], []
    for s in ctx.evidence.get(Kind.BACKUP_SET_FILES):
        if s.tenant_id != tenant_id:
            continue
        min_restore = ctx.point(s.min_restore_scn, s.min_restore)
        if (s.status not in policy["usable_set_status"] or (s.file_status or "AVAILABLE") not in policy["usable_set_file_status"]
                or min_restore is None):
            bad_sets.append(s)
            continue
        raw = ctx.raw(s)
        replay_from = None
        if raw is not None:
            replay_from = ctx.point(raw.integer("START_REPLAY_SCN"), None if raw.text("START_REPLAY_SCN_DISPLAY") is None
                                    else _display(raw.text("START_REPLAY_SCN_DISPLAY")))
        replay_from = min(replay_from or min_restore, min_restore)
        run = next((r for r in runs if r.start <= replay_from and r.end >= min_restore), None)
        sets.append(SetPoint(s, replay_from, min_restore, run))
    sets.sort(key=lambda x: x.min_restore)
    return Window(tenant_id, sets, runs, bad_sets, bad_pieces)


def _display(text: str) -> datetime | None:
    from obdoctor.logs import parse_ts

    return parse_ts(text[:26])


def _unreadable(ctx: CheckContext, check: str, tenant_id: int) -> CheckResult | None:
    sets, pieces = ctx.evidence.get(Kind.BACKUP_SET_FILES), ctx.evidence.get(Kind.ARCHIVE_PIECES)
    for found in (sets, pieces):
        if not found.available:
            return ctx.unreadable(check, tenant_id, found, found.source)
    return None


def check_restore_window(ctx: CheckContext, tenant_id: int) -> CheckResult:
    missing = _unreadable(ctx, CHECK, tenant_id)
    if missing:
        return missing
    w = build_window(ctx, tenant_id)
    chain = Chain(CHECK)
    sets_view = ctx.evidence.get(Kind.BACKUP_SET_FILES).source
    pieces_view = ctx.evidence.get(Kind.ARCHIVE_PIECES).source
    chain.row_step(sets_view, f"{len(w.sets)} usable backup set(s) (SUCCESS, AVAILABLE)"
                   + (f"; {len(w.unusable_sets)} other(s) not usable" if w.unusable_sets else ""),
                   [s.record for s in w.sets[-5:]], _SET_COLUMNS)
    pieces = [p.record for r in w.runs for p in r.pieces]
    chain.row_step(pieces_view, f"{len(pieces)} usable archive piece(s) in {len(w.runs)} unbroken run(s): "
                   + "; ".join(f"{fmt_time(r.start)} .. {fmt_time(r.end)}" for r in w.runs[-3:]),
                   pieces[-5:], _PIECE_COLUMNS)
    uncovered = [s for s in w.sets if s.run is None]
    details = {
        "earliest": w.earliest, "latest": w.latest,
        "window_seconds": (w.latest - w.earliest).total_seconds() if w.covered else None,
        "gaps": [{"from": a, "to": b} for a, b in w.gaps()],
        "uncovered_sets": [s.record.backup_set_id for s in uncovered],
    }
    if uncovered:
        chain.row_step(sets_view, "not covered by the archive (no unbroken run of pieces from START_REPLAY_SCN to "
                       "MIN_RESTORE_SCN): set(s) " + ", ".join(str(s.record.backup_set_id) for s in uncovered),
                       [s.record for s in uncovered[-5:]], _SET_COLUMNS)
    if not w.sets:
        return CheckResult(CHECK, tenant_id, Status.CRITICAL, "no usable backup set: nothing to restore from",
                           evidence=chain.steps, details=details)
    if not w.runs:
        return CheckResult(CHECK, tenant_id, Status.CRITICAL, "no usable archive piece: no backup set can be restored "
                           "(a restore replays logs from START_REPLAY_SCN)", evidence=chain.steps, details=details)
    if not w.covered:
        return CheckResult(CHECK, tenant_id, Status.CRITICAL, "no backup set is covered by the archive: nothing can be "
                           "restored", evidence=chain.steps, details=details)
    age = ctx.age(w.latest)
    inside = [(a, b) for a, b in w.gaps() if a >= w.earliest]
    summary = f"restorable from {fmt_time(w.earliest)} to {fmt_time(w.latest)}"
    problems = []
    if inside:
        problems.append(f"{len(inside)} gap(s) in the archive: " + ", ".join(f"{fmt_time(a)} .. {fmt_time(b)}" for a, b in inside[:3]))
    if w.sets[-1].run is None:
        problems.append(f"the newest backup set {w.sets[-1].record.backup_set_id} is not covered by the archive")
    elif uncovered:
        problems.append("set(s) " + ", ".join(str(s.record.backup_set_id) for s in uncovered) + " not covered")
    if problems:
        summary += "; " + "; ".join(problems)
    status = Status.WARNING if inside or w.sets[-1].run is None else Status.OK
    return CheckResult(CHECK, tenant_id, status, summary, None if age is None else round(age, 3), None, "s",
                       chain.steps, details)


def check_restore_preview(ctx: CheckContext, tenant_id: int, when: datetime) -> CheckResult:
    missing = _unreadable(ctx, PREVIEW, tenant_id)
    if missing:
        return missing
    w = build_window(ctx, tenant_id)
    chain = Chain(PREVIEW)
    chosen = w.choose(when)
    details: dict = {"restore_to": when, "earliest": w.earliest, "latest": w.latest}
    if chosen is None:
        if not w.covered:
            why = "no backup set is covered by the archive"
        elif when < w.earliest:
            why = f"it is before the earliest restorable point {fmt_time(w.earliest)}"
        elif when > w.latest:
            why = f"it is after the latest restorable point {fmt_time(w.latest)} (not archived yet)"
        else:
            gap = next(((a, b) for a, b in w.gaps() if a < when < b), None)
            why = (f"it falls in a gap of the archive ({fmt_time(gap[0])} .. {fmt_time(gap[1])})" if gap
                   else "no backup set reaches it with unbroken logs")
        chain.step(ctx.evidence.get(Kind.BACKUP_SET_FILES).source, f"no usable set restores to {fmt_time(when)}: {why}")
        return CheckResult(PREVIEW, tenant_id, Status.CRITICAL, f"cannot restore to {fmt_time(when)}: {why}",
                           evidence=chain.steps, details=details)
    pieces = [p for p in chosen.run.pieces if p.end >= chosen.replay_from and p.start <= when]
    chain.row_step(chosen.record.provenance.name, f"backup set {chosen.record.backup_set_id} restores from "
                   f"{fmt_time(chosen.min_restore)} (replays logs from {fmt_time(chosen.replay_from)})",
                   [chosen.record], _SET_COLUMNS)
    chain.row_step(pieces[0].record.provenance.name if pieces else "CDB_OB_ARCHIVELOG_PIECE_FILES",
                   f"{len(pieces)} piece(s) to replay up to {fmt_time(when)}", [p.record for p in pieces], _PIECE_COLUMNS)
    details.update(backup_set_id=chosen.record.backup_set_id, pieces=[p.to_dict() for p in pieces])
    names = ", ".join(f"round {p.record.round_id} piece {p.record.piece_id}" for p in pieces)
    return CheckResult(PREVIEW, tenant_id, Status.OK,
                       f"restorable to {fmt_time(when)} from backup set {chosen.record.backup_set_id} with {names}",
                       round((when - chosen.min_restore).total_seconds(), 3), None, "s", chain.steps, details)

