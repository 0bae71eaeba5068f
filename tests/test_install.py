"""A non-editable install carries the shipped panels: the bot works from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_wheel_install_finds_the_shipped_data(tmp_path: Path) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, timeout=300, capture_output=True)
    [wheel] = wheels.glob("panel_quotes-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, timeout=300, capture_output=True)
    assert (site / "bot" / "data" / "panels" / "aigc-summit-2023-roundtable.yaml").is_file()
    assert not (site / "tests").exists()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("QUOTES_DATA_DIR", None)
    done = subprocess.run([sys.executable, "-m", "bot", "search", "算力", "--json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["quote_id"] == "chen-shi-11"
