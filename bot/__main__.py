"""`python -m bot`: the same program as the installed `panel-quotes` script."""

from __future__ import annotations

from collections.abc import Sequence

from .terminal.cli import main


def run(argv: Sequence[str] | None = None) -> int:
    return main(argv)


if __name__ == "__main__":
    raise SystemExit(run())
