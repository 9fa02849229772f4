"""Every string a user can see is translated: Dutch first, English complete, placeholders intact."""

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """Extract from the code and templates now, so a new string without a translation fails here."""
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-k", "N_", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def catalog(language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_source_string_is_translated(source_messages, language):
    translations = catalog(language)
    missing = []
    for message in source_messages:
        entry = translations.get(message.id)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ("",))
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} strings without {language} translation (run `make translations`)"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_translations_keep_their_placeholders(language):
    for entry in catalog(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, entry.id


def test_dutch_addresses_the_reader_formally():
    """B1 Dutch with "u": an informal "je/jij/jouw" slipping in reads as careless."""
    informal = re.compile(r"\b(je|jij|jouw|jullie)\b", re.IGNORECASE)
    offenders = [entry.id for entry in catalog("nl")
                 if entry.id and isinstance(entry.string, str) and informal.search(entry.string)]
    assert offenders == []
