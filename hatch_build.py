"""Compile the Babel catalogues (.po -> .mo) whenever the package is built.

The .po files are the source we commit; the .mo files are build artefacts that ship in the
wheel (and sit beside the .po files for editable installs).
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogues(root: Path) -> list[Path]:
    """Write a .mo beside every .po under vr_booking/locale and return their paths."""
    written = []
    for po_path in sorted((root / "vr_booking" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        compile_catalogues(Path(self.root))
