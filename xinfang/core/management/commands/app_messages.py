"""Update and compile one feature app's own English catalog (xinfang/<app>/locale/en/).

The project catalog (xinfang/locale) holds the strings of the apps that existed before the feature apps;
each feature app keeps its strings beside its code so that several can change at once without touching
one shared file. `makemessages` alone would put an app's strings into the first of LOCALE_PATHS, so this
runs it from the app's folder with LOCALE_PATHS empty. Then translate the new entries in the .po (no
`#, fuzzy`), run this again with --compile, and commit the .po and the .mo together.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "makemessages (or, with --compile, compilemessages) for one app's own locale folder"

    def add_arguments(self, parser):
        parser.add_argument("app", help="the app's folder name under xinfang/, e.g. reception")
        parser.add_argument("--compile", action="store_true", help="compile the app's .po into its .mo")

    def handle(self, *args, app: str, compile: bool, **options):
        folder = Path(settings.BASE_DIR) / "xinfang" / app
        if not folder.is_dir() or app == "locale":
            raise CommandError(f"no app folder {folder}")
        (folder / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
        here = os.getcwd()
        os.chdir(folder)
        try:
            with override_settings(LOCALE_PATHS=[]):
                if compile:
                    call_command("compilemessages", locale=["en"], verbosity=options["verbosity"])
                else:
                    call_command(
                        "makemessages",
                        locale=["en"],
                        ignore_patterns=["tests/*", "migrations/*"],
                        no_obsolete=True,
                        verbosity=options["verbosity"],
                    )
        finally:
            os.chdir(here)
        if not compile:
            _header_from_project(folder / "locale" / "en" / "LC_MESSAGES" / "django.po")


def _header_from_project(po: Path) -> None:
    """A new catalog starts with gettext's placeholder header (fuzzy, no language): take the project's."""
    if not po.exists():
        return
    project = (Path(settings.BASE_DIR) / "xinfang" / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(
        encoding="utf-8"
    )
    header = project.split("\n\n", 1)[0]
    body = po.read_text(encoding="utf-8").split("\n\n", 1)
    po.write_text(header + "\n\n" + (body[1] if len(body) > 1 else ""), encoding="utf-8")
