"""The ``peerwork`` command: serve, migrate, demo, organisations, users, import, retention, mail.

Bad arguments and domain errors print one line, ``peerwork: error: ...``, and exit 2.

Start-up time matters here (``peerwork --help`` in a tenth of a second), so this module imports
only the standard library and settings at the top; each command imports what it needs, and
only ``serve`` loads the web app (tests/integration/test_cli_startup.py holds us to it).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Awaitable, Callable, NoReturn, Sequence

from peerwork.core.settings import Settings, SettingsError, load_settings


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"peerwork: error: {message} (see '{self.prog} --help')\n")


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"peerwork: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def database_location(settings: Settings) -> str:
    """Where the database is, for people: a SQLite file's absolute path, or the PostgreSQL URL
    without its password."""
    from urllib.parse import urlsplit

    url = settings.database_url
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).resolve())
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _sqlite_file(settings: Settings) -> Path | None:
    url = settings.database_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


_HOW_TO_CREATE = ("run 'make run' from the repository root, or 'peerwork migrate' (and 'peerwork demo' for demo "
                  "data), or set PEERWORK_DATABASE_URL")


async def _with_database(settings: Settings, work: Callable[[], Awaitable[int]], *, migrated: bool) -> int:
    from peerwork.core.db import close_pool, open_pool, use_database
    from peerwork.core.logs import configure_logging
    from peerwork.core.settings import use_settings

    use_settings(settings)
    configure_logging(settings)
    engine = use_database(settings.database_url)
    opened = await open_pool(engine)
    try:
        if migrated:
            await _require_migrated(settings)
        return await work()
    finally:
        if opened:
            await close_pool(engine)


async def _require_migrated(settings: Settings) -> None:
    from peerwork.core.migrate import DatabaseNotMigrated, pending_migrations

    pending = await pending_migrations()
    if pending:
        raise DatabaseNotMigrated(
            f"the database at {database_location(settings)} is missing {len(pending)} migration(s); "
            f"run 'peerwork migrate' first"
        )


def _run(settings: Settings, work: Callable[[], Awaitable[int]], *, migrated: bool = True) -> int:
    """Run ``work`` against the database; with ``migrated``, only once the database exists and
    is up to date (a missing or empty database is a one-line error, never a traceback)."""
    sqlite_file = _sqlite_file(settings)
    if migrated and sqlite_file is not None and not sqlite_file.is_file():
        fail(f"there is no database at {database_location(settings)}; {_HOW_TO_CREATE}")
    from peerwork.core.errors import DomainError, database_unavailable

    # Piccolo warns, in colour and over several lines, when it cannot reach the server; the
    # one-line error below says the same.
    warnings.filterwarnings("ignore", message=".*Unable to (fetch server version|connect to database)")
    import asyncio

    try:
        return asyncio.run(_with_database(settings, work, migrated=migrated))
    except DomainError as exc:
        fail(exc.detail)
    except Exception as exc:
        if database_unavailable(exc) is None and not isinstance(exc, OSError):
            raise
        # A connection failure's own words ("database \"x\" does not exist"); it carries no row data.
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        fail(f"cannot reach the database at {database_location(settings)} ({reason}); check PEERWORK_DATABASE_URL")


# --- commands ---------------------------------------------------------------------------


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    settings = settings.with_overrides(host=args.host or settings.host, port=args.port or settings.port)

    async def ready() -> int:  # the database exists and is migrated: checked by _run
        return 0

    _run(settings, ready)
    import uvicorn

    from peerwork.app import create_app

    uvicorn.run(create_app(settings, migrations_checked=True), host=settings.host, port=settings.port,
                log_level=settings.log_level.lower(), proxy_headers=True)
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.core.migrate import migrate

    async def work() -> int:
        await migrate(quiet=True)  # Piccolo's own report is a screenful per app; one line says it
        if not args.quiet:
            print(f"The database at {database_location(settings)} is up to date.")
        return 0

    return _run(settings, work, migrated=False)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.demo import load_demo

    async def work() -> int:
        logins = await load_demo()
        print("Demo organisations are ready. Sign in at http://%s:%s/login with:" % (settings.host, settings.port))
        for organisation, email, role, password, key in logins:
            extra = f"  authenticator key: {key}" if key else ""
            print(f"  {organisation:<14} {role:<11} {email:<32} password: {password}{extra}")
        print("Every other demo person with an account (peer support workers, supervisors and peer leads,\n"
              "given.family@ their organisation's domain) has the same password: docs/demo.md lists them.")
        if any(key for *_, key in logins):
            print("Admin and HR also need a code from an authenticator app: add the authenticator key to one\n"
                  "(time-based). That key is public and for this demo only.")
        return 0

    return _run(settings, work)


def cmd_orgs_create(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.workforce.organisations import create_organisation

    async def work() -> int:
        org = await create_organisation(args.slug, args.name, kind=args.kind, network=args.network)
        networks = f" in network {', '.join(org.networks)}" if org.networks else ""
        print(f"Created organisation {org.slug} ({org.name}){networks}.")
        return 0

    return _run(settings, work)


def cmd_users_create(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.core.accounts import create_account, issue_api_token
    from peerwork.workforce.organisations import organisation_by_slug

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")

    async def work() -> int:
        org = await organisation_by_slug(args.org)
        account = await create_account(org.id, args.email, [args.role], display_name=args.name or "", password=password)
        issued = await issue_api_token(account.id, org.id, label="created by peerwork users create")
        print(f"Created {account.email} as {args.role} in {org.slug}.")
        print("API token (shown once; store it safely):")
        print(issued.token)
        return 0

    return _run(settings, work)


def cmd_users_invite(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.accounts import invitations
    from peerwork.core.access import system_principal
    from peerwork.workforce.organisations import organisation_by_slug

    async def work() -> int:
        org = await organisation_by_slug(args.org)
        principal = system_principal(org.id, org.slug, org.name)
        if args.email:
            invited = await invitations.invite(principal, email=args.email, role=args.role)
            # Never the link: it is a password in all but name, and goes only to the person.
            print(f"Invited {invited.email} as {args.role} in {org.slug}; the link expires "
                  f"{invited.expires_at:%-d %B %Y %H:%M} UTC.")
            return 0
        counted = await invitations.invite_everyone_in_lived_experience_roles(principal, dry_run=True)
        print(f"{counted.eligible} people in lived-experience roles in {org.slug} have no account and an email "
              f"address; {counted.without_email} have no usable email address.")
        if args.dry_run or not counted.eligible:
            return 0
        done = await invitations.invite_everyone_in_lived_experience_roles(principal)
        print(f"Invited {done.invited}. Each gets an email with a single-use link to set their password.")
        return 0

    return _run(settings, work)


def cmd_mail_send(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.core.mail.outbox import deliver_due, due_now
    from peerwork.core.mail.transports import transport_from_url

    transport = transport_from_url(settings.mail_url)

    async def work() -> int:
        if args.all:  # also what is waiting out a retry backoff; each message still goes once
            await due_now()
        report = await deliver_due(transport, max_attempts=settings.mail_max_attempts, sender=settings.mail_from)
        print(f"{report.sent} sent, {report.retrying} to retry later, {report.failed} given up.")
        return 0 if not report.failed else 1

    return _run(settings, work)


def cmd_import_assignments(settings: Settings, args: argparse.Namespace) -> int:
    if args.template:
        from peerwork.workforce.csv_rows import template_csv

        sys.stdout.write(template_csv())
        return 0
    if not args.file or not args.org:
        missing = [name for name, value in (("FILE.csv", args.file), ("--org", args.org)) if not value]
        fail(f"the following arguments are required: {', '.join(missing)} (see 'peerwork import assignments --help')")
    from peerwork.workforce.importer import import_assignments
    from peerwork.workforce.organisations import organisation_by_slug

    path = Path(args.file)
    if not path.is_file():
        fail(f"{args.file}: no such file")

    async def work() -> int:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        org = await organisation_by_slug(args.org)
        console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False, disable=args.quiet) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                label = {"check": "Checking rows", "write": "Writing"}[phase]
                if phase not in tasks:
                    tasks[phase] = bar.add_task(label, total=total)
                if done % 500 == 0 or done >= total:
                    bar.update(tasks[phase], completed=done, total=max(total, done))

            with path.open("rb") as source:  # read a chunk at a time, so memory stays flat
                report = await import_assignments(
                    org.id, source, dry_run=args.dry_run, all_or_nothing=args.all_or_nothing, progress=progress
                )
            for task in tasks.values():
                bar.update(task, completed=bar.tasks[task].total)
        verb = "would be" if not report.applied else "were"
        print(f"{path.name}: {report.rows} rows, {report.valid_rows} valid, {len({e.line for e in report.errors})} with problems.")
        print(f"  {report.created} created, {report.updated} updated, {report.unchanged} unchanged "
              f"({report.people_created} new people, {report.teams_created} new teams) {verb} applied.")
        if report.people_updated:  # ethnicity or disability changed: how many people, never the values
            print(f"  {report.people_updated} people's equality monitoring details {verb} updated.")
        if report.dry_run:
            print("  Dry run: nothing was changed.")
        elif not report.applied:
            print("  Nothing was imported (--all-or-nothing and some rows have problems).")
        for problem in report.errors:
            print(str(problem), file=sys.stderr)
        return 1 if report.errors else 0

    return _run(settings, work)


def cmd_recruitment_import_rounds(settings: Settings, args: argparse.Namespace) -> int:
    if args.template:
        from peerwork.recruitment.history_csv import template_csv

        sys.stdout.write(template_csv())
        return 0
    if not args.file or not args.org:
        missing = [name for name, value in (("FILE.csv", args.file), ("--org", args.org)) if not value]
        fail(f"the following arguments are required: {', '.join(missing)} "
             "(see 'peerwork recruitment import-rounds --help')")
    path = Path(args.file)
    if not path.is_file():
        fail(f"{args.file}: no such file")

    async def work() -> int:
        from peerwork.recruitment.history import import_rounds
        from peerwork.workforce.organisations import organisation_by_slug

        org = await organisation_by_slug(args.org)
        report = await import_rounds(org.id, path.read_bytes(), dry_run=args.dry_run)
        verb = "were" if report.applied else "would be"
        print(f"{path.name}: {report.rows} rounds, {len({e.line for e in report.errors})} with problems.")
        print(f"  {report.created} added, {report.updated} updated, {report.unchanged} unchanged {verb} applied.")
        if report.errors:
            print("  Nothing was loaded: fix the problems below and load the file again.")
        elif report.dry_run:
            print("  Dry run: nothing was changed.")
        for problem in report.errors:
            print(str(problem), file=sys.stderr)
        return 1 if report.errors else 0

    return _run(settings, work)


def cmd_retention(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from peerwork.core.access import system_principal
    from peerwork.workforce.organisations import organisation_by_slug
    from peerwork.retention.service import as_csv, figure_rows, percent, reports_for

    async def work() -> int:
        org = await organisation_by_slug(args.org)
        principal = system_principal(org.id, org.slug, org.name)
        (report,) = await reports_for(principal, args.as_of, by=(args.by,) if args.by else ())
        if args.format == "json":
            print(json.dumps(report.to_dict(), indent=2))
        elif args.format == "csv":
            print(as_csv(figure_rows(report, args.by)), end="")
        else:
            _print_retention_table(org.name, report, args.by, percent, figure_rows)
        return 0

    return _run(settings, work)


def cmd_networks_host(settings: Settings, args: argparse.Namespace) -> int:
    from peerwork.networks.service import set_host

    async def work() -> int:
        await set_host(args.network, args.org)
        print(f"{args.org} now hosts network {args.network}: its admins run the network.")
        return 0

    return _run(settings, work)


def cmd_networks_figures(settings: Settings, args: argparse.Namespace) -> int:
    import msgspec

    from peerwork.core.tables import Network
    from peerwork.networks.figures import network_figures
    from peerwork.networks.service import check_as_of

    async def work() -> int:
        row = await Network.select(Network.id).where(Network.slug == args.network).first()
        if row is None:
            fail(f"there is no network {args.network!r}")
        figures = await network_figures(row["id"], check_as_of(args.as_of))
        print(msgspec.json.format(msgspec.json.encode(figures), indent=2).decode())
        return 0

    return _run(settings, work)


def _print_retention_table(name, report, by, percent, figure_rows) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{name}[/bold]: lived-experience roles, as of {report.as_of.isoformat()}")
    console.print(f"{report.spells} spells, {report.leavers} ended, {report.in_post} in post")
    headline = Table("", "Kaplan–Meier (95% CI)", "at risk", "cohort rate", "retained / eligible")
    for estimate, cohort in zip(report.retention, report.cohort_rates):
        interval = "–" if estimate.survival is None else (
            f"{percent(estimate.survival)} ({percent(estimate.lower)}–{percent(estimate.upper)})")
        if estimate.uncertain and estimate.survival is not None:
            interval += " uncertain*"
        headline.add_row(f"{estimate.years} year{'s' if estimate.years > 1 else ''}", interval, str(estimate.at_risk),
                         percent(cohort.rate), f"{cohort.retained} / {cohort.eligible}")
    console.print(headline)
    if any(e.uncertain and e.survival is not None for e in report.retention):
        console.print("* fewer than 5 people still at risk: the estimate rests on too few to trust")
    if by:
        table = Table(by.replace("_", " "), "spells", "leavers", "in post", "1 year", "2 years", "3 years")
        for row in figure_rows(report, by):
            table.add_row(str(row["group"]), str(row["spells"]), str(row["leavers"]), str(row["in_post"]),
                          *(percent(row.get(f"km_{k}y")) for k in (1, 2, 3)))
        console.print(table)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """The board pack for an organisation or a network, written to --output (PDF or HTML)."""
    if bool(args.org) == bool(args.network):
        fail("give one of --org or --network (see 'peerwork report --help')")
    import os

    output = Path(args.output)
    if output.is_dir() or not output.parent.is_dir() or not os.access(output.parent, os.W_OK):
        fail(f"{args.output}: cannot write there (no such directory, a directory, or not writable)")

    async def work() -> int:
        from peerwork.core.access import system_principal
        from peerwork.networks.board_pack import export_network_pack, export_organisation_pack, network_id_by_slug
        from peerwork.workforce.organisations import organisation_by_slug

        if args.org:
            org = await organisation_by_slug(args.org)
            body, _ = await export_organisation_pack(system_principal(org.id, org.slug, org.name), args.as_of,
                                                     args.format)
        else:
            body, _ = await export_network_pack(await network_id_by_slug(args.network), args.as_of, args.format)
        try:
            output.write_bytes(body)
        except OSError as exc:
            fail(f"{args.output}: cannot write ({exc.strerror or exc})")
        print(f"Wrote the board pack to {output}.")
        return 0

    return _run(settings, work)


def cmd_evaluation_send(settings: Settings, args: argparse.Namespace) -> int:
    from uuid import UUID

    from peerwork.core.access import system_principal
    from peerwork.core.errors import DomainError
    from peerwork.core.tables import Account
    from peerwork.evaluation.answering import send_questionnaire
    from peerwork.workforce.organisations import organisation_by_slug

    try:
        course_id = UUID(args.course)
    except ValueError:
        fail(f"--course: {args.course!r} is not a course id.")

    async def work() -> int:
        org = await organisation_by_slug(args.org)
        emails = [e.strip().lower() for e in args.to]
        ids = await Account.select(Account.id).where(Account.email.is_in(emails)).output(as_list=True)
        if len(ids) != len(set(emails)):
            fail(f"--to: {len(set(emails)) - len(ids)} of the addresses have no account.")
        try:
            sent = await send_questionnaire(course_id, args.moment, ids, args.due_by,
                                            principal=system_principal(org.id, org.slug, org.name))
        except DomainError as exc:
            fail(exc.detail)
        # Never the links: each is the person's key to answer, and goes only to them.
        print(f"Sent {sent.invited} invitations to answer version {sent.version} {args.moment} the course; "
              f"{sent.already_answered} had already answered.")
        return 0

    return _run(settings, work)


def _date(raw: str):
    from peerwork.workforce.rules import RuleError, parse_date

    try:
        return parse_date(raw)
    except RuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# --- parser -----------------------------------------------------------------------------


def _import_format_help() -> str:
    from peerwork.workforce.csv_rows import columns_help  # pure and quick: no database, no web

    return (f"{columns_help()}\n\nStart from the template: peerwork import assignments --template > staff.csv\n"
            "Exit status: 0 every row good, 1 some rows had problems, 2 bad arguments.")


def _rounds_format_help() -> str:
    from peerwork.recruitment.history_csv import columns_help  # pure and quick: no database, no web

    return (f"{columns_help()}\n\nStart from the template: peerwork recruitment import-rounds --template > rounds.csv\n"
            "Exit status: 0 loaded (or nothing to change), 1 the file had problems (nothing loaded), 2 bad arguments.")


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="peerwork", description="Run and administer peerwork.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--quiet", action="store_true", help="print nothing on success")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser("demo", help="load demo organisations, people and logins (safe to re-run)")
    demo.set_defaults(handler=cmd_demo)

    orgs = commands.add_parser("orgs", help="organisations").add_subparsers(
        dest="orgs_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    create_org = orgs.add_parser("create", help="create an organisation")
    create_org.add_argument("slug", help="short name used in URLs, e.g. northfield-nhs")
    create_org.add_argument("--name", required=True, help="full name")
    create_org.add_argument("--network", help="network slug to join (created if new)")
    create_org.add_argument("--kind", choices=["nhs_trust", "vcse"], default="nhs_trust")
    create_org.set_defaults(handler=cmd_orgs_create)

    users = commands.add_parser("users", help="user accounts").add_subparsers(
        dest="users_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    create_user = users.add_parser("create", help="create an account and print a one-time API token")
    create_user.add_argument("--org", required=True, help="organisation slug")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--role", required=True, choices=["admin", "hr", "peer_lead", "supervisor", "psw"])
    create_user.add_argument("--name", help="display name")
    create_user.add_argument("--password-stdin", action="store_true", help="read a sign-in password from stdin")
    create_user.set_defaults(handler=cmd_users_create)
    invite = users.add_parser("invite", help="email single-use invitations to set a password (prints counts, never a link)")
    invite.add_argument("--org", required=True, help="organisation slug")
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="invite this address")
    who.add_argument("--all-lived-experience", action="store_true",
                     help="invite everyone in post in a lived-experience role who has no account yet")
    invite.add_argument("--role", choices=["admin", "hr", "peer_lead", "supervisor", "psw"], default="psw",
                        help="role for --email (default psw)")
    invite.add_argument("--dry-run", action="store_true", help="with --all-lived-experience: only count")
    invite.set_defaults(handler=cmd_users_invite)

    mail = commands.add_parser("mail", help="the outbox").add_subparsers(
        dest="mail_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    send = mail.add_parser("send", help="deliver the outbox's due messages now (each exactly once)")
    send.add_argument("--all", action="store_true", help="also messages waiting to retry after a failure")
    send.set_defaults(handler=cmd_mail_send)

    imports = commands.add_parser("import", help="import records").add_subparsers(
        dest="import_command", required=True, metavar="KIND", parser_class=OneLineParser)
    assignments = imports.add_parser(
        "assignments", help="import an ESR-style assignments CSV", epilog=_import_format_help(),
        description="Import staff records (one assignment per row) into an organisation.\n"
                    "Bad rows are reported as 'line N: column: problem' and never written.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    assignments.add_argument("file", metavar="FILE.csv", nargs="?", help="the CSV file to import")
    assignments.add_argument("--org", help="organisation slug (required to import)")
    assignments.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    assignments.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is bad")
    assignments.add_argument("--quiet", action="store_true", help="no progress bar")
    assignments.add_argument("--template", action="store_true",
                             help="print a template CSV (every column, example rows) and exit; "
                                  "e.g. peerwork import assignments --template > staff.csv")
    assignments.set_defaults(handler=cmd_import_assignments)

    retention = commands.add_parser("retention", help="retention of lived-experience roles at 1, 2 and 3 years")
    retention.add_argument("--org", required=True, help="organisation slug")
    retention.add_argument("--as-of", type=_date, help="replay the figures on a past date (default today)")
    retention.add_argument("--by", choices=["cohort_year", "financial_year", "team", "band"], help="break down by")
    retention.add_argument("--format", choices=["table", "csv", "json"], default="table")
    retention.set_defaults(handler=cmd_retention)

    recruitment = commands.add_parser("recruitment", help="recruitment records").add_subparsers(
        dest="recruitment_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    rounds = recruitment.add_parser(
        "import-rounds", help="load past recruitment rounds (figures only) from a CSV",
        epilog=_rounds_format_help(), formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load recruitment rounds from before peerwork, one round per row, so the funnel covers\n"
                    "earlier years. Problems are reported as 'line N: column: problem'; with any, nothing is loaded.")
    rounds.add_argument("file", metavar="FILE.csv", nargs="?", help="the CSV file to load")
    rounds.add_argument("--org", help="organisation slug (required to load)")
    rounds.add_argument("--dry-run", action="store_true", help="check the file and show what would change; change nothing")
    rounds.add_argument("--template", action="store_true",
                        help="print a template CSV (every column, example rounds) and exit")
    rounds.set_defaults(handler=cmd_recruitment_import_rounds)

    report = commands.add_parser("report", help="the board pack (PDF or HTML) for an organisation or a network")
    report.add_argument("--org", help="organisation slug")
    report.add_argument("--network", help="network slug")
    report.add_argument("--as-of", type=_date, help="the data date: figures as known that day (default today)")
    report.add_argument("--format", choices=["pdf", "html"], required=True)
    report.add_argument("--output", required=True, metavar="FILE", help="where to write the pack")
    report.set_defaults(handler=cmd_report)

    networks = commands.add_parser("networks", help="networks of organisations").add_subparsers(
        dest="networks_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    host = networks.add_parser("host", help="make an organisation the network's host (its admins run the network)")
    host.add_argument("network", help="network slug")
    host.add_argument("--org", required=True, help="organisation slug (added as a member if need be)")
    host.set_defaults(handler=cmd_networks_host)
    network_figures = networks.add_parser("figures", help="pooled and per-member figures as JSON (counts under 5 suppressed)")
    network_figures.add_argument("network", help="network slug")
    network_figures.add_argument("--as-of", type=_date, help="replay the figures on a past date (default today)")
    network_figures.set_defaults(handler=cmd_networks_figures)
    evaluation = commands.add_parser("evaluation", help="questionnaires before and after courses").add_subparsers(
        dest="evaluation_command", required=True, metavar="ACTION", parser_class=OneLineParser)
    send = evaluation.add_parser("send", help="email people a single-use link to the course's questionnaire")
    send.add_argument("--org", required=True, help="organisation slug")
    send.add_argument("--course", required=True, help="the catalogue course's id")
    send.add_argument("--moment", required=True, choices=["before", "after"])
    send.add_argument("--due-by", required=True, type=_date, help="the last day to answer (the link expires after it)")
    send.add_argument("--to", required=True, action="append", metavar="EMAIL", help="a person's sign-in email (repeat)")
    send.set_defaults(handler=cmd_evaluation_send)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    return args.handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
