"""The harness of the bad-input corpus: run ``forum`` in process, and check that a refusal is clean.

A clean refusal is exit code 2, one line on stderr that starts with ``forum: error:`` and names what was wrong, no
traceback, and not one file created, changed or removed in the folders that were watched.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from toolkit.cli import main


def snapshot(*folders: Path) -> dict[str, tuple[int, str]]:
    """Every file (hidden ones too) below ``folders``: relative path -> (size, sha256)."""
    files = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                files[str(path)] = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
            elif path.is_dir():
                files[str(path) + "/"] = (0, "")
    return files


def assert_refused(capsys, argv: list[str], *match: str, watch: tuple[Path, ...] = ()) -> str:
    """Run ``forum argv``; assert a clean refusal whose message contains every string of ``match``."""
    capsys.readouterr()
    before = snapshot(*watch)
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, (code, err, captured.out[-2000:])
    assert err.startswith("forum: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in match:
        assert text in err, (text, err)
    assert snapshot(*watch) == before, "files changed"
    return err


SCENARIO_HEAD = """\
id: {id}
name: {{fi: Koe, sv: Test, en: Test}}
narrative: {{fi: Kertomus, sv: Berättelse, en: Story}}
justification: a generated test case
"""


def scenario_file(folder: Path, scenario_id: str, body: str, uncertainty: bool = False) -> Path:
    """A scenario file ``<folder>/<scenario_id>.yaml`` with the YAML ``body`` (levers, regions, …)."""
    text = SCENARIO_HEAD.format(id=scenario_id) + body
    if uncertainty:
        text += "uncertainty: {tfr: {scale: 1}, e0: {scale: 1}, net_migration: {scale: 1}}\n"
    path = folder / f"{scenario_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def params_copy(tmp_path: Path, monkeypatch) -> Path:
    """A params folder whose files link to the shipped ones (``FORUM_PARAMS_DIR`` points to it): a test writes
    the one file it breaks as a real file, and the shipped files stay untouched."""
    from toolkit.io.params import clear_caches, params_dir

    shipped = params_dir()
    folder = tmp_path / "params"
    (folder / "data").mkdir(parents=True)
    for entry in shipped.iterdir():
        if entry.name != "data":
            (folder / entry.name).symlink_to(entry)
    for entry in (shipped / "data").iterdir():
        (folder / "data" / entry.name).symlink_to(entry)
    monkeypatch.setenv("FORUM_PARAMS_DIR", str(folder))
    clear_caches()
    return folder


def replace_data(folder: Path, kind: str, frame) -> Path:
    """Write ``frame`` as ``<folder>/data/<kind>.csv`` (a real file instead of the link)."""
    path = folder / "data" / f"{kind}.csv"
    path.unlink()
    frame.to_csv(path, index=False)
    return path
