"""The ``orbwatch`` command: one typer app; each stage adds its commands."""

from __future__ import annotations

import sys

import typer
from typer import Abort, Exit
from typer.exceptions import TyperException

from orbwatch.errors import OrbwatchError

__all__ = ["app", "main", "DbOption"]

app = typer.Typer(
    name="orbwatch",
    help="Verifiable conduct in orbit from public element sets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # docstring line breaks are not paragraph breaks
)

DbOption = typer.Option(None, "--db", envvar="ORBWATCH_DB",
                        help="Database: SQLite file path or SQLAlchemy URL "
                             "[default: orbwatch.db]")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app, turns every user error into one line on
    stderr and exit status 1 (never a traceback for bad input)."""
    from orbwatch.cli import commands  # noqa: F401  (registers the commands)

    cmd = typer.main.get_command(app)
    try:
        rv = cmd.main(args=argv if argv is not None else sys.argv[1:],
                      prog_name="orbwatch", standalone_mode=False)
    except Exit as e:
        return e.exit_code
    except Abort:
        sys.stderr.write("orbwatch: aborted\n")
        return 1
    except TyperException as e:
        sys.stderr.write(f"orbwatch: {e.format_message()}\n")
        return 1
    except OrbwatchError as e:
        first = str(e).splitlines()
        sys.stderr.write(f"orbwatch: {type(e).__name__}: {first[0] if first else ''}\n")
        for extra in first[1:]:
            sys.stderr.write(f"{extra}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("orbwatch: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    return rv if isinstance(rv, int) else 0
