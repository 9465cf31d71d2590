"""A parser's notes by code: the app words each code, in English exactly as the parser does."""

import re

import pytest
from django.utils import translation

from kassenwart.banking.formats.statement import NOTES, note
from kassenwart.core.messages import message, render


@pytest.mark.parametrize("code", sorted(NOTES))
def test_each_parser_note_is_worded_by_the_app_as_the_parser_words_it(code):
    params = {name: f"<{name}>" for name in re.findall(r"%\((\w+)\)s", NOTES[code])}
    with translation.override("en"):
        assert render(message(f"banking.file.{code}", **params)) == note(code, **params)
    with translation.override("de"):
        assert render(message(f"banking.file.{code}", **params)) != note(code, **params)
