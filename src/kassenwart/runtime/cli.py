"""The `kassenwart` command line: every command runs through `main`, so none ends in a traceback.

This holds for Kassenwart's commands and Django's, for those here today and for any added
later, without anything in the commands themselves:

* A command is named with dashes (`import-statement`) or underscores. `kassenwart`,
  `kassenwart --help` and `kassenwart help` list Kassenwart's commands, one line each, in
  groups (GROUPS; a command not named there is listed under "Other"); `kassenwart help
  COMMAND` and `kassenwart COMMAND --help` show one command's options. Django's own commands
  (migrate, check, shell, ...) work as well; `kassenwart django-help` lists them.
* An unknown command is one line naming the closest one, exit code 2, as for any wrong
  arguments (argparse's convention).
* Wrong arguments end in one line (`kassenwart import-statement: the following arguments are
  required: FILE (see: kassenwart help import-statement)`), not argparse's usage block.
* A command of a Kassenwart app first checks that the database is set up and as new as the
  code; otherwise it says in one line to run `kassenwart init`. A command that sets the
  database up itself, or needs none, says so with `requires_init = False`.
* A `CommandError` is its message. A database error is explained (not set up, from an older
  version, not reachable). Anything else is one line naming the error; `--traceback` shows it
  in full, for a developer.
* Each command speaks one language: settings.CLI_LANGUAGE (KASSENWART_LANGUAGE, English
  unless it says otherwise), for its own lines and the services' messages alike.
"""

from __future__ import annotations

import difflib
import os
import sys
import textwrap
from importlib import metadata

import django
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, SystemCheckError, handle_default_options
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import translation
from django.utils.translation import gettext as _

PROG = "kassenwart"
# The exit code of a process stopped with Ctrl-C, as the shell reports it.
INTERRUPTED = 130
# The exit code of a command line that is wrong: an unknown command, wrong arguments.
USAGE = 2

# Kassenwart's commands in the overview, by what a person wants to do.
GROUPS = (
    ("Run", ("serve", "worker", "demo", "sandbox_bank", "sandbox_provider")),
    ("Set up and look after", ("init", "backup", "restore", "reset_two_factor", "api_token")),
    ("Bank statements and payments", ("import_statement", "csv_layout", "import_mandates", "export_pain")),
    ("Invoices, bills and reconciliation", ("import_invoices", "import_bill", "reconcile", "export_matches")),
    ("For the accountant", ("export_bookings",)),
)
DJANGO_HELP = "django-help"


class DatabaseNotReady(CommandError):
    """The database is missing, older than the code, or cannot be reached."""


def main(argv: list[str]) -> int:
    """Run the command line `argv` (argv[0] is the program) and return the exit code."""
    args = argv[1:]
    traceback_wanted = "--traceback" in args
    try:
        django.setup()
    except Exception as error:  # the settings could not be read: no translations yet either
        if traceback_wanted:
            raise
        return _fail(f"{PROG}: the configuration cannot be loaded: {_one_line(error)}")
    translation.activate(settings.CLI_LANGUAGE)
    try:
        return _dispatch(args, traceback_wanted)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as error:  # in the help, or naming a command that cannot be loaded
        if traceback_wanted:
            raise
        return _explain(error, PROG)


def _dispatch(args: list[str], traceback_wanted: bool) -> int:
    if not args or args[0] in ("-h", "--help"):
        return _print(overview())
    if args[0] == "help":
        return _help(args[1:])
    if args[0] == "--version":
        return _print(f"{PROG} {installed_version()} (Django {django.get_version()})")
    if args[0] == DJANGO_HELP:
        return _print(_all_commands(ours=False))
    if args[0].startswith("-"):
        return _fail(
            _("%(prog)s: the command comes first (%(prog)s COMMAND [options]); `%(prog)s help` lists them")
            % {"prog": PROG}, USAGE
        )
    name = args[0].replace("-", "_")
    commands = get_commands()
    if name not in commands:
        return _fail(_unknown(args[0], commands), USAGE)
    return run(name, commands[name], args[1:], traceback_wanted=traceback_wanted)


def run(name: str, app: str | BaseCommand, args: list[str], *, traceback_wanted: bool = False) -> int:
    """Parse `args` with the command's parser and run it; a failure becomes a line on stderr."""
    shown = name.replace("_", "-")
    try:
        command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
        options = _parser(command, shown).parse_args(args)
        traceback_wanted = traceback_wanted or getattr(options, "traceback", False)
        handle_default_options(options)
        values = vars(options)
        positional = values.pop("args", ())
        if requires_init(command):
            check_database()
        command.execute(*positional, **values)
        return 0
    except KeyboardInterrupt:  # Ctrl-C is how `serve` and `worker` are stopped
        return INTERRUPTED
    except Exception as error:
        if traceback_wanted:
            raise
        return _explain(error, f"{PROG} {shown}")


def _explain(error: Exception, prefix: str) -> int:
    """The exit code for `error`, after one line that says what it means."""
    if isinstance(error, SystemCheckError):  # formats itself, over several lines
        return _fail(str(error), error.returncode)
    if isinstance(error, CommandError):
        message = str(error)
        if message.startswith("Error: "):  # the parser's: the arguments were wrong
            command = prefix.removeprefix(PROG).strip()
            message = message.removeprefix("Error: ") + " " + _("(see: %(prog)s help %(command)s)") % {
                "prog": PROG, "command": command}
            return _fail(f"{prefix}: {message}", USAGE)
        return _fail(f"{prefix}: {message}", error.returncode)
    if isinstance(error, DatabaseError):
        return _fail(f"{prefix}: {_database_problem(error)}")
    if isinstance(error, BrokenPipeError):  # the reader went away (`| head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return _fail(
        f"{prefix}: "
        + _("failed with %(error)s (run it again with --traceback to see where)") % {"error": _describe(error)}
    )


def requires_init(command: BaseCommand) -> bool:
    """Whether the command needs a set-up database: those of Kassenwart's apps do unless they
    say otherwise (`requires_init = False`); of Django's, those that check for migrations
    themselves (createsuperuser, changepassword); the others (migrate, check) need none, or
    meet a missing table as a database error, which is explained too."""
    default = _is_ours(command) or command.requires_migrations_checks
    return bool(getattr(command, "requires_init", default))


def check_database() -> None:
    """Raise DatabaseNotReady with what to do unless every migration has been applied."""
    from django.db.migrations.executor import MigrationExecutor

    where = database_location()
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        applied = executor.loader.applied_migrations
    except DatabaseError as error:
        raise DatabaseNotReady(
            _("cannot reach the database %(where)s: %(error)s") % {"where": where, "error": _one_line(error)}
        ) from error
    if not plan:
        return
    if not applied:
        raise DatabaseNotReady(
            _("there is no Kassenwart database in %(where)s yet; set one up with: "
              "%(prog)s init --company NAME --admin USER") % {"where": where, "prog": PROG}
        )
    raise DatabaseNotReady(
        _("the database %(where)s is from an older version of Kassenwart; upgrade it with: %(prog)s init")
        % {"where": where, "prog": PROG}
    )


def database_location() -> str:
    """Where the database is, for a person: the SQLite file, or the server and database name
    (never the user or password of DATABASE_URL)."""
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{database['NAME']!r} on {host}{port}"


def _database_problem(error: DatabaseError) -> str:
    """What a database error that reached the top means: the database not set up (a command
    that does not check first), or a real error, told in one line."""
    connections.close_all()  # the failed connection may be unusable (PostgreSQL)
    try:
        check_database()
    except DatabaseNotReady as not_ready:
        return str(not_ready)
    return _("database error: %(error)s") % {"error": _one_line(error)}


# -- help -----------------------------------------------------------------------------------
def overview() -> str:
    """Kassenwart's commands with dashes, one line each, in their groups, and how to learn more."""
    ours = {name: app for name, app in get_commands().items() if _is_ours(app)}
    width = max(len(name) for name in ours) + 2
    grouped = [(title, [name for name in names if name in ours]) for title, names in GROUPS]
    placed = {name for _title, names in grouped for name in names}
    grouped.append(("Other", sorted(set(ours) - placed)))
    lines = [f"usage: {PROG} COMMAND [options]"]
    for title, names in grouped:
        if names:
            lines += ["", f"{title}:"]
            lines += [f"  {name.replace('_', '-'):<{width}}{_summary(name, ours[name])}" for name in names]
    lines += [
        "",
        f"`{PROG} help COMMAND` or `{PROG} COMMAND --help` shows a command's options.",
        f"Development: Django's commands (migrate, check, shell, ...) work too; `{PROG} {DJANGO_HELP}` lists them.",
    ]
    return "\n".join(lines)


def _help(args: list[str]) -> int:
    if not args:
        return _print(overview())
    if args[0] == "--all":
        return _print(_all_commands())
    if args[0] == DJANGO_HELP:
        return _print(_all_commands(ours=False))
    name = args[0].replace("-", "_")
    commands = get_commands()
    if name not in commands:
        return _fail(_unknown(args[0], commands), USAGE)
    app = commands[name]
    command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    _parser(command, name.replace("_", "-")).print_help()
    return 0


# Django's options every command has, which Kassenwart's do not show in their help (they work).
_QUIET_OPTIONS = {"--version", "--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
                  "--skip-checks"}


def _parser(command: BaseCommand, shown: str):
    """The command's parser, named `kassenwart import-statement`. Not "called from the command
    line" as Django means it: a wrong argument is a CommandError (one line), not argparse's
    usage block and exit."""
    if _is_ours(command):
        command.suppressed_base_arguments = _QUIET_OPTIONS
    return command.create_parser(PROG, shown)


def _all_commands(*, ours: bool = True) -> str:
    """Every command by the app it comes from; `ours=False`: Django's (and its apps') only."""
    by_app: dict[str, list[str]] = {}
    for name, app in get_commands().items():
        if _is_ours(app) and not ours:
            continue
        group = "kassenwart" if _is_ours(app) else str(app).split(".")[-1]
        by_app.setdefault(group, []).append(name.replace("_", "-"))
    lines = [f"usage: {PROG} COMMAND [options]"]
    for group in sorted(by_app, key=lambda g: (g != "kassenwart", g)):
        lines += ["", f"[{group}]", *(f"  {name}" for name in sorted(by_app[group]))]
    return "\n".join(lines)


def _summary(name: str, app: str | BaseCommand, width: int = 72) -> str:
    """The first sentence of the command's help, shortened to fit a line."""
    try:
        command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    except Exception as error:  # a command that cannot even be loaded still gets its line
        return f"(cannot be loaded: {_describe(error)})"
    text = " ".join(str(command.help).split())
    sentence = text.split(". ")[0].rstrip(".")
    return textwrap.shorten(sentence, width, placeholder=" …")


def _is_ours(app: str | BaseCommand) -> bool:
    module = type(app).__module__ if isinstance(app, BaseCommand) else app
    return module.startswith("kassenwart")


def _unknown(given: str, commands: dict) -> str:
    names = [name.replace("_", "-") for name in commands] + [DJANGO_HELP]
    close = difflib.get_close_matches(given.replace("_", "-"), names, n=1)
    values = {"prog": PROG, "name": given, "close": close[0] if close else ""}
    if close:
        return _("%(prog)s: there is no command %(name)r. Did you mean %(close)s? "
                 "`%(prog)s help` lists them.") % values
    return _("%(prog)s: there is no command %(name)r. `%(prog)s help` lists them.") % values


def installed_version() -> str:
    try:
        return metadata.version("kassenwart")
    except metadata.PackageNotFoundError:  # run from a checkout that was not installed
        return "(from source)"


# -- output ---------------------------------------------------------------------------------
def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return f"{type(error).__name__}: {_one_line(error)}"


def _print(text: str) -> int:
    sys.stdout.write(text + "\n")
    return 0


def _fail(line: str, code: int = 1) -> int:
    sys.stdout.flush()  # what the command printed before comes first
    sys.stderr.write(line + "\n")
    return code
