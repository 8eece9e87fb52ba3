"""``logs search`` on a directory reads nothing a link points to outside it (grep -r's rule):
a bundle handed over by someone else cannot make it print another file of this machine."""

from __future__ import annotations

from pathlib import Path

LINE = "[2023-09-26 14:37:36.822558] WDIAG [SERVER] f (x.cpp:1) [1][T1002_BACKUP][T1002][Y0-0-0-0] [lt=1] {marker}\n"


def _bundle(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "observer.log").write_text(LINE.format(marker="OUTSIDE-THE-BUNDLE"))
    server = tmp_path / "bundle" / "logs" / "127.0.0.2"
    server.mkdir(parents=True)
    (server / "observer.log").write_text(LINE.format(marker="INSIDE-THE-BUNDLE"))
    (server / "observer.log.20230926143000").symlink_to(outside / "observer.log")
    (tmp_path / "bundle" / "logs" / "127.0.0.9").symlink_to(outside, target_is_directory=True)
    return tmp_path / "bundle", outside


def test_links_out_of_a_searched_directory_are_not_followed(tmp_path: Path, run_cli) -> None:
    bundle, _ = _bundle(tmp_path)
    result = run_cli("logs", "search", "-e", "THE-BUNDLE", str(bundle))
    assert "INSIDE-THE-BUNDLE" in result.out
    assert "OUTSIDE-THE-BUNDLE" not in result.out
    assert "pointing outside" in result.err


def test_the_same_file_inside_is_read(tmp_path: Path, run_cli) -> None:
    """The control: the file the link pointed to, named directly, is searched (the test can fail)."""
    _, outside = _bundle(tmp_path)
    result = run_cli("logs", "search", "-e", "THE-BUNDLE", str(outside / "observer.log"))
    assert "OUTSIDE-THE-BUNDLE" in result.out
