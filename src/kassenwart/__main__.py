"""The `kassenwart` command: Django management commands underneath.

`kassenwart import-statement FILE` runs the management command `import_statement`;
kassenwart.runtime.cli runs every command so that none ends in a traceback.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    from kassenwart.runtime.cli import main as run

    sys.exit(run(list(sys.argv if argv is None else argv)))


if __name__ == "__main__":
    main()
