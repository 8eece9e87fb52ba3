"""The ``--since``/``--until`` of ``logs search``/``logs codes``/``logs trace`` on a bundle, on
the bundle's clock.

Why: a bundle's report shows times on the views' clock (the session zone, manifest
``time_zone``); its log lines are stamped on each server's OS zone (``system_time_zone``, or the
zone ``collect`` read on each server, ``[cluster.server_time_zones]``). A DBA reading the report
on a laptop in a third zone types the report's times: read on the laptop's zone and clock, the
window misses the lines by hours. So on a bundle the window is read on the views' clock (a
relative time before ``collected_at``, a time with an offset moved there), searched on the
servers' clock, and one stderr line says which clocks. Plain files (no manifest) are read as
grep users expect: times as written, relative to this machine's clock.

Start-up: only ``tomllib`` (and ``zoneinfo`` for a named zone) is loaded, and only when a
bundle and a window are given; the manifest is read here, not in ``obdoctor.logs``.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from obdoctor.zones import format_offset, move, zone_of

MAX_MANIFEST_BYTES = 1 << 20
ARCHIVES = (".tar.gz", ".tgz", ".tar")


class BundleClock:
    """A bundle's clocks as its manifest says them (None: not said or not resolvable). A plain
    class: a dataclass costs ~2 ms to build at import."""

    def __init__(self) -> None:
        self.views: tzinfo | None = None
        self.views_said = ""
        self.servers: tzinfo | None = None
        self.servers_said = ""
        self.per_server: dict[str, tuple[tzinfo, str]] = {}
        """Zones ``collect`` read on each server (``date +%z``), by server directory name."""
        self.now: datetime | None = None
        """``collected_at`` on the views' clock (naive)."""


def clock_of(manifest: dict) -> BundleClock:
    """The clocks of a parsed ``manifest.toml`` (``[cluster]`` keys win over top-level ones)."""
    cluster = manifest.get("cluster") if isinstance(manifest.get("cluster"), dict) else {}
    said = {**manifest, **cluster}
    clock = BundleClock()
    collected = said.get("collected_at")
    if isinstance(collected, str):
        try:
            collected = datetime.fromisoformat(collected)
        except ValueError:
            collected = None
    collected = collected if isinstance(collected, datetime) else None
    time_zone, system = _text(said.get("time_zone")), _text(said.get("system_time_zone"))
    system_zone = zone_of(system)
    on_system = bool(time_zone) and time_zone.upper() == "SYSTEM"
    if on_system:
        clock.views, clock.views_said = system_zone, f"{system}, manifest time_zone SYSTEM and system_time_zone"
    elif time_zone:
        clock.views, clock.views_said = zone_of(time_zone), f"{time_zone}, manifest time_zone"
    if clock.views is None and collected is not None and collected.tzinfo is not None:
        offset = collected.utcoffset()
        clock.views, clock.views_said = timezone(offset), f"{format_offset(offset)}, manifest collected_at's offset"
    if collected is not None:
        if collected.tzinfo is not None:
            collected = collected.astimezone(clock.views or collected.tzinfo)
        clock.now = collected.replace(tzinfo=None)
    if on_system:
        clock.servers, clock.servers_said = clock.views, clock.views_said
    elif system_zone is not None:
        clock.servers, clock.servers_said = system_zone, f"{system}, manifest system_time_zone"
    recorded = cluster.get("server_time_zones")
    for server, text in (recorded.items() if isinstance(recorded, dict) else ()):
        zone = zone_of(_text(text))
        if zone is not None:
            clock.per_server[str(server)] = (zone, f"{_text(text)}, read on the server at collection")
    return clock


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def read_manifest(root: Path) -> tuple[dict | None, str | None]:
    """(``root/manifest.toml`` parsed, None) or (None, why not); (None, None) when there is none.
    Opened without blocking and read only when a regular file of at most 1 MiB (a FIFO named
    manifest.toml must not hang the search)."""
    path = root / "manifest.toml"
    if not (path.exists() or path.is_symlink()):
        return None, None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, f"{path}: not read: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return None, f"{path}: not read: not a regular file of at most 1 MiB"
        data = os.read(fd, MAX_MANIFEST_BYTES + 1)
    finally:
        os.close(fd)
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8", "replace")), None
    except tomllib.TOMLDecodeError as exc:
        return None, f"{path}: not read: {exc}"


def resolve_window(args, env) -> str | None:
    """``args.since``/``args.until`` as naive times to compare with the log lines' stamps; on a
    bundle, on its clock (said on stderr). Archives among ``args.paths`` are opened here (their
    manifest is inside) and replaced by their extracted root, kept open in ``args.open_bundles``.
    Returns a usage error's text, or None."""
    from obdoctor.cli.main import no_collected_at, resolve_times

    asked = [n for n in ("since", "until") if getattr(args, n, None) is not None]
    clocks: list[BundleClock] = []
    if asked and not getattr(args, "live", False):
        clocks = _bundle_clocks(args, env)
    if not clocks:
        resolve_times(args, None, None)  # plain files: this machine's zone and clock
        return None
    clock = clocks[0]
    relative = [n for n in asked if isinstance(getattr(args, n), timedelta)]
    if relative and clock.now is None:
        return no_collected_at(relative[0])
    offsets = [n for n in asked if isinstance(getattr(args, n), datetime) and getattr(args, n).tzinfo is not None]
    place = clock.views or clock.servers
    if offsets and place is None:
        return (f"--{offsets[0]} with an offset: the bundle does not say its zones (manifest time_zone, "
                "system_time_zone): give the time as the log lines show it, without an offset")
    resolve_times(args, clock.now, place)
    views = (args.since, args.until)
    zones = _servers_zones(clock)
    if clock.views is not None and zones:
        moved = [(move(args.since, clock.views, z), move(args.until, clock.views, z)) for z, _ in zones]
        args.since = min((s for s, _ in moved), default=None) if args.since is not None else None
        args.until = max((u for _, u in moved), default=None) if args.until is not None else None
    env.stderr.write(_said(clock, views, (args.since, args.until), zones, relative)
                     + ("" if len(clocks) == 1 else "; the other bundles' manifests were not read for it") + "\n")
    return None


def _servers_zones(clock: BundleClock) -> list[tuple[tzinfo, str]]:
    """The distinct zones the servers' lines are on, with what says so."""
    found: dict[str, tuple[tzinfo, str]] = {}
    for server, (zone, said) in sorted(clock.per_server.items()):
        found.setdefault(str(zone), (zone, f"{server}: {said}"))
    if clock.servers is not None:
        found.setdefault(str(clock.servers), (clock.servers, clock.servers_said))
    return list(found.values())


def _said(clock: BundleClock, views, searched, zones, relative) -> str:
    before = f" ({', '.join('--' + n for n in relative)} before collected_at {clock.now:%Y-%m-%d %H:%M:%S})" \
        if relative else ""
    if clock.views is None:
        return (f"obdoctor: --since/--until compared with the log lines' own clock as written{before}: the bundle "
                "does not say the views' zone (manifest time_zone)")
    head = f"obdoctor: --since/--until read on the views' clock ({clock.views_said}): {_span(*views)}{before}"
    if not zones:
        return (f"{head}; searched as such: the bundle does not say the servers' clock (manifest system_time_zone; "
                "'obdoctor analyze' infers it from trace ids)")
    if len(zones) == 1:
        return f"{head}; searched on the servers' clock ({zones[0][1]}): {_span(*searched)}"
    at = views[0] if views[0] not in (None, datetime.min, datetime.max) else clock.now or datetime.now()
    offsets = [z.utcoffset(move(at, clock.views, z)) or timedelta(0) for z, _ in zones]
    return (f"{head}; the servers are on {len(zones)} zones ({'; '.join(s for _, s in zones)}): searched "
            f"{_span(*searched)}, one window covering each server's, so a server's lines up to "
            f"{max(offsets) - min(offsets)} outside its own window may show")


def _span(since: datetime | None, until: datetime | None) -> str:
    def fmt(when: datetime | None) -> str:
        return when.strftime("%Y-%m-%d %H:%M:%S") if when not in (None, datetime.min, datetime.max) else "…"
    return f"{fmt(since)} .. {fmt(until)}"


def _bundle_clocks(args, env) -> list[BundleClock]:
    """The clock of every bundle among ``args.paths`` (a directory with ``manifest.toml``, or an
    archive of one, opened here); a manifest that cannot be read is said and the bundle taken as
    plain log directories."""
    clocks = []
    for index, text in enumerate(list(args.paths or ())):
        path = Path(text)
        if path.is_file() and path.name.endswith(ARCHIVES):
            from obdoctor.sources.bundle import Bundle, BundleError

            try:
                bundle = Bundle(path)
            except BundleError:
                continue  # said again, as before, when the files are collected
            args.open_bundles = [*getattr(args, "open_bundles", []), bundle]
            args.paths[index] = str(bundle.root)
            manifest, why = (bundle.manifest or None), None
        elif path.is_dir():
            manifest, why = read_manifest(path)
        else:
            continue
        if why:
            env.error(why)
        if manifest is not None:
            clock = clock_of(manifest)
            root = Path(args.paths[index])  # a server with no logs here does not widen the window
            clock.per_server = {s: z for s, z in clock.per_server.items() if (root / "logs" / s).is_dir()}
            clocks.append(clock)
    return clocks
