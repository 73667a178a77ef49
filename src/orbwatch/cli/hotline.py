"""``orbwatch hotline ...``: run the hotline service and talk to it.

``serve`` runs the FastAPI app under uvicorn; the other commands are the
client of one party (``--as NAME`` with its key file ``--key``, by default
``NAME.key``), talking to ``--server`` (``$ORBWATCH_HOTLINE_URL``).
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

import typer

from orbwatch.cli.app import app
from orbwatch.cli.output import OutputFormat, emit, err_console, read_json_file
from orbwatch.errors import UserError

__all__ = ["hotline_app", "party_app", "party_client"]

hotline_app = typer.Typer(help="Signed notifications between states on a transparency log.",
                          no_args_is_help=True)
party_app = typer.Typer(help="Parties: keys and registration.", no_args_is_help=True)
hotline_app.add_typer(party_app, name="party")
app.add_typer(hotline_app, name="hotline")

DEFAULT_URL = "http://127.0.0.1:8470"
ServerOption = typer.Option(DEFAULT_URL, "--server", envvar="ORBWATCH_HOTLINE_URL",
                            help="Base URL of the hotline service.")
PartyOption = typer.Option(None, "--as", envvar="ORBWATCH_HOTLINE_PARTY",
                           help="The party acting (its registered name).")
KeyOption = typer.Option(None, "--key", envvar="ORBWATCH_HOTLINE_KEY",
                         help="The party's private key file [default: NAME.key].")
TokenOption = typer.Option(None, "--admin-token", envvar="ORBWATCH_HOTLINE_ADMIN_TOKEN",
                           help="Operator token that admits parties.")
FormatOption = typer.Option(OutputFormat.table, "--format", "-f", help="Output format.")


def party_client(server: str, party: str | None, key: str | None, *, need_key: bool = True):
    from orbwatch.hotline.client import HotlineClient
    from orbwatch.hotline.entries import read_key_file

    if party is None:
        if need_key:
            raise UserError("name the acting party with --as NAME (or ORBWATCH_HOTLINE_PARTY)")
        return HotlineClient(server)
    path = key or f"{party}.key"
    if not os.path.exists(path):
        if need_key:
            raise UserError(f"no key file {path} for {party!r} (orbwatch hotline party add "
                            f"{party} writes one; or pass --key)")
        return HotlineClient(server)
    return HotlineClient(server, party, read_key_file(path))


def _read_json(path: str) -> dict:
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: a payload is a JSON object")
    return data


@hotline_app.command("serve")
def serve_cmd(db: str = typer.Option("hotline.db", "--db", envvar="ORBWATCH_HOTLINE_DB",
                                     help="SQLite file or SQLAlchemy URL (postgresql+psycopg://)"),
              host: str = typer.Option("127.0.0.1", "--host"),
              port: int = typer.Option(8470, "--port"),
              log_key: str = typer.Option("hotline-log.key", "--log-key",
                                          envvar="ORBWATCH_HOTLINE_LOG_KEY",
                                          help="The log's signing key (created when absent)."),
              admin_token: str | None = TokenOption,
              max_body: int = typer.Option(256 * 1024, "--max-body",
                                           help="Largest request body accepted, bytes."),
              report: str | None = typer.Option(None, "--report", help="The monitor's report "
                                                "folder (orbwatch watch --out): served in the "
                                                "console, linked from alerts.")) -> None:
    """Run the hotline service (FastAPI under uvicorn)."""
    from orbwatch.hotline.entries import generate_key, write_key_file
    from orbwatch.hotline.service import serve

    if not os.path.exists(log_key):
        write_key_file(log_key, generate_key(), "the hotline log")
        err_console.print(f"hotline: new log key written to {log_key}", highlight=False)
    if admin_token is None:
        err_console.print("hotline: no --admin-token: registration of parties is closed",
                          highlight=False)
    serve(db, host=host, port=port, log_key=log_key, admin_token=admin_token, max_body=max_body,
          report_dir=report)


@party_app.command("add")
def party_add_cmd(name: str = typer.Argument(..., help="Party name (e.g. a state code)."),
                  server: str = ServerOption, admin_token: str | None = TokenOption,
                  key: str | None = KeyOption) -> None:
    """Create a key for NAME (file 0600) and register it with the server."""
    from orbwatch.hotline.client import HotlineClient
    from orbwatch.hotline.entries import generate_key, write_key_file

    if admin_token is None:
        raise UserError("registering a party needs the operator's --admin-token")
    path = key or f"{name}.key"
    if os.path.exists(path):
        raise UserError(f"{path} exists; pass another --key path or remove it")
    private = generate_key()
    with HotlineClient(server, admin_token=admin_token) as client:
        result = client.register(name, private.public_key())
    write_key_file(path, private, name)
    typer.echo(f"{name}: registered at log index {result['index']}; key in {path}")


@party_app.command("rotate")
def party_rotate_cmd(party: str | None = PartyOption, key: str | None = KeyOption,
                     server: str = ServerOption) -> None:
    """Replace the party's key: a key_rotation entry signed with the current key."""
    from orbwatch.hotline.entries import generate_key, public_key_bytes, write_key_file

    client = party_client(server, party, key)
    path = key or f"{party}.key"
    new = generate_key()
    with client:
        result = client.notify({"type": "key_rotation", "new_public_key":
                                base64.b64encode(public_key_bytes(new)).decode("ascii")})
    os.replace(path, path + ".old")
    write_key_file(path, new, party or "")
    typer.echo(f"{party}: key rotated at log index {result['index']}; old key in {path}.old")


@hotline_app.command("notify")
def notify_cmd(kind: str = typer.Argument(..., help="Notification type (the payload's type)."),
               payload: str = typer.Option(..., "--payload", help="JSON file of the payload."),
               to: list[str] = typer.Option([], "--to", help="Addressee (repeat); none: public."),
               ack_by: str | None = typer.Option(None, "--ack-by",
                                                 help="Acknowledge by (ISO 8601 UTC)."),
               party: str | None = PartyOption, key: str | None = KeyOption,
               server: str = ServerOption) -> None:
    """Sign a notification and publish it."""
    from orbwatch.hotline.entries import parse_time

    body = _read_json(payload)
    body.setdefault("type", kind)
    if body["type"] != kind:
        raise UserError(f"{payload}: payload type {body['type']!r} is not {kind!r}")
    deadline = parse_time(ack_by, "--ack-by") if ack_by else None
    with party_client(server, party, key) as client:
        result = client.notify(body, to=to or None, ack_by=deadline)
    typer.echo(f"published {kind} as entry {result['index']} (id {result['entry_id']})")


@hotline_app.command("ack")
def ack_cmd(entry_id: str = typer.Argument(..., help="Id (hex) of the entry acknowledged."),
            remarks: str | None = typer.Option(None, "--remarks"),
            party: str | None = PartyOption, key: str | None = KeyOption,
            server: str = ServerOption) -> None:
    """Acknowledge an entry addressed to the party."""
    with party_client(server, party, key) as client:
        result = client.ack(entry_id, remarks)
    typer.echo(f"acknowledged {entry_id} as entry {result['index']}")


@hotline_app.command("inbox")
def inbox_cmd(party: str | None = PartyOption, key: str | None = KeyOption,
              server: str = ServerOption, fmt: OutputFormat = FormatOption) -> None:
    """Entries addressed to the party and the acknowledgements it owes."""
    with party_client(server, party, key) as client:
        data = client.inbox()
    owed = {a["entry_id"]: a for a in data["acks"]["owed"]}
    rows = [{"index": r["index"], "type": r["entry"]["type"], "author": r["entry"]["author"],
             "created": r["entry"]["created"],
             "ack": ("overdue" if owed[r["entry_id"]]["overdue"] else "pending")
             if r["entry_id"] in owed else "", "entry_id": r["entry_id"]}
            for r in data["entries"]]
    emit(rows, fmt, columns=["index", "type", "author", "created", "ack", "entry_id"],
         title=f"inbox of {data['party']}", document=data)


@hotline_app.command("verify")
def verify_cmd(state: str | None = typer.Option(None, "--state",
                                                help="State file [default: "
                                                     "hotline-verify-NAME.json]"),
               log_public_key: str | None = typer.Option(
                   None, "--log-public-key", help="The log's key (base64); default: the one "
                                                  "kept, or trusted on first use."),
               party: str | None = PartyOption, key: str | None = KeyOption,
               server: str = ServerOption) -> None:
    """Audit the log: consistency with the kept checkpoint, every leaf, every
    visible entry's signature; exits 1 naming what was rewritten, deleted or reordered."""
    from orbwatch.hotline.audit import Auditor

    path = state or f"hotline-verify-{party or 'anonymous'}.json"
    with party_client(server, party, key, need_key=False) as client:
        summary = Auditor(client, path, log_public_key).run()
    typer.echo(f"log verified: {summary['tree_size']} entries (was {summary['previous_size']}), "
               f"{summary['entries_checked']} signatures checked, root "
               f"{summary['root_hash']} at {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}")
