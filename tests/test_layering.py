"""The arrows point one way: adapters import the core's public face (`bot`) and nothing deeper;
the core never imports a chat platform or an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE, ADAPTERS = ROOT / "bot", ROOT / "adapters"
PLATFORM_PACKAGES = {"adapters", "discord", "slack_bolt", "slack_sdk", "aiohttp"}


def imports(file: Path) -> list[str]:
    """Every absolute module a file imports, at any depth (lazy imports too)."""
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append(node.module or "")
    return found


def test_the_core_imports_no_platform_and_no_adapter() -> None:
    offenders = [f"{file.relative_to(ROOT)}: {name}" for file in CORE.rglob("*.py") for name in imports(file)
                 if name.split(".")[0] in PLATFORM_PACKAGES]
    assert offenders == []
    assert len(list(CORE.rglob("*.py"))) > 40  # the walk really saw the core


def test_adapters_import_only_the_cores_public_face() -> None:
    offenders = [f"{file.relative_to(ROOT)}: {name}" for file in ADAPTERS.rglob("*.py") for name in imports(file)
                 if name.startswith("bot.")]
    assert offenders == []
    assert sum("bot" in imports(file) for file in ADAPTERS.rglob("*.py")) >= 8


def test_every_name_the_public_face_offers_resolves() -> None:
    import bot

    missing = [name for name in bot.__all__ if getattr(bot, name, None) is None]
    assert missing == []
