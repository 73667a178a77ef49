"""Command-line interface (typer + rich)."""

from __future__ import annotations

import sys

from orbwatch.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    from orbwatch.cli.app import main as _main

    sys.exit(_main())
