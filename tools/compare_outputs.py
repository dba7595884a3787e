"""Check that a change of structure changed no number: snapshot the toolkit's outputs, then compare snapshots.

    python tools/compare_outputs.py snapshot DIR    # forum project/skills outputs and a pack's figure JSON
    python tools/compare_outputs.py compare OLD NEW # exit 0 if every output is identical, else name the first

The snapshot holds ``forum project --all --draws 200 --seed 1``, ``forum skills --all`` (deterministic) and the
plotly JSON of every figure in the executed forum notebook of one area (``forum render --region kainuu``, 20
draws). Datasets are compared with ``xarray.testing.assert_identical`` (values, coordinates, attributes; the
toolkit version and data provenance attributes excepted); figures as JSON, trace by trace.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

IGNORED_ATTRS = ("toolkit_version",)


def snapshot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    forum = [sys.executable, "-m", "toolkit.cli"]
    commands = [
        [*forum, "project", "--all", "--draws", "200", "--seed", "1", "--out", str(folder / "project.nc")],
        [*forum, "skills", "--all", "--out", str(folder / "skills.nc")],
        [*forum, "render", "--region", "kainuu", "--draws", "20", "--jobs", "1", "--out", str(folder / "pack")],
    ]
    for command in commands:
        subprocess.run(command, check=True)
    (folder / "figures.json").write_text(json.dumps(_figures(folder / "pack" / "kainuu" / "forum.ipynb")))


def _figures(notebook: Path) -> list:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [output["data"]["application/vnd.plotly.v1+json"] for cell in cells for output in cell.get("outputs", [])
            if "application/vnd.plotly.v1+json" in output.get("data", {})]


def compare(old: Path, new: Path) -> int:
    import xarray as xr

    for name in ("project.nc", "skills.nc"):
        with xr.open_dataset(old / name, engine="h5netcdf") as a, xr.open_dataset(new / name, engine="h5netcdf") as b:
            for ds in (a, b):
                for key in IGNORED_ATTRS:
                    ds.attrs.pop(key, None)
            xr.testing.assert_identical(a.load(), b.load())
        print(f"{name}: identical")
    figures_old = json.loads((old / "figures.json").read_text())
    figures_new = json.loads((new / "figures.json").read_text())
    if len(figures_old) != len(figures_new):
        print(f"figures: {len(figures_old)} before, {len(figures_new)} after")
        return 1
    for index, (a, b) in enumerate(zip(figures_old, figures_new, strict=True)):
        if a != b:
            print(f"figure {index} ({a['layout'].get('title', {}).get('text')}) differs")
            return 1
    print(f"figures: {len(figures_old)} identical")
    return 0


if __name__ == "__main__":
    action, *folders = sys.argv[1:]
    if action == "snapshot":
        snapshot(Path(folders[0]).resolve())
    elif action == "compare":
        sys.exit(compare(Path(folders[0]), Path(folders[1])))
    else:
        sys.exit("usage: compare_outputs.py snapshot DIR | compare OLD NEW")
