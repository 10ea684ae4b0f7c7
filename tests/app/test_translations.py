"""The French catalogue is complete, covers every string in the code and is compiled; the
stylesheet is there."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from vr_booking.paths import LOCALE_DIR, STATIC_DIR


def test_french_catalogue_is_complete():
    """An empty msgstr (or plural form) would silently show English to French visitors."""
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    assert missing == []


def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    """A string added to the code but never extracted would show in English (run bin/i18n)."""
    root = Path(__file__).resolve().parents[2]  # the repository
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
                    "-F", str(root / "babel.cfg"), "-k", "N_", "-o", str(pot), "."],
                   cwd=root, check=True)
    with pot.open("rb") as source, (
            LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as french:
        wanted = {m.id for m in read_po(source) if m.id}
        have = {m.id for m in read_po(french) if m.id}
    assert sorted(map(str, wanted - have)) == []


def test_catalogue_is_compiled():
    assert (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.mo").exists()


def test_static_css_exists():
    assert (STATIC_DIR / "css" / "app.css").exists()
