"""Checks that replace `pybabel compile`'s, plus freshness and completeness of catalogs."""

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from advisor.render.i18n import translations
from advisor.resources import data_dir

from conftest import ROOT

LOCALES = ["es", "fr", "ar"]


def catalog(locale):
    with (data_dir("locales") / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def template_msgids():
    method_map = [("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    ids = set()
    for _file, _line, msg, _comments, _ctx in extract_from_dir(str(ROOT), method_map, options):
        ids.add(msg if isinstance(msg, str) else msg[0])
    return ids


def test_pot_is_up_to_date_with_templates():
    with (data_dir("locales") / "messages.pot").open("rb") as fh:
        pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert pot == template_msgids(), "run the extract/update commands in README"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_valid(locale):
    cat = catalog(locale)
    assert [(m.id, [str(e) for e in errs]) for m, errs in cat.check()] == []
    missing, fuzzy = [], []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(strings):
            missing.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
    assert missing == [] and fuzzy == []
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    assert ids == template_msgids()


class _Any(dict):
    def __missing__(self, key):
        return 1


@pytest.mark.parametrize("locale", LOCALES)
def test_every_translation_formats(locale):
    for m in catalog(locale):
        if m.id and "python-format" in m.flags:
            for s in (m.string if isinstance(m.string, tuple) else (m.string,)):
                s % _Any()


def test_arabic_plural_map_is_cldr():
    plural = translations("ar").plural
    assert {n: plural(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 111)} == {
        0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 101: 5, 102: 5, 111: 4}
