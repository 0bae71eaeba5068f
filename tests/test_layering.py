"""The core never imports a chat platform: the arrow points from adapters to bot/ only."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"adapters", "discord", "slack_bolt", "slack_sdk", "aiohttp"}
CORE = Path(__file__).resolve().parents[1] / "bot"


def test_core_imports_no_platform() -> None:
    offenders = []
    for file in CORE.rglob("*.py"):
        if file.name == "__main__.py":
            continue  # the entry point wires the adapters in, and only there
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{file.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(CORE.rglob("*.py"))) > 10  # the walk really saw the core
