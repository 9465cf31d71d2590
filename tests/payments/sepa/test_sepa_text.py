import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kassenwart.payments.sepa import new_id, to_sepa_text
from kassenwart.payments.sepa.text import BASIC, DK, id_problem, unsendable


@pytest.mark.parametrize(("given", "sent"), [
    ("Müller & Söhne GmbH", "Müller & Söhne GmbH"),
    ("Straßenbau Öztürk, Übersee", "Straßenbau Öztürk, Übersee"),
    ("Émile Zola", "Emile Zola"),
    ("Bjørn Ødegård", "Bjorn Odegard"),
    ("Ærø Æbleskiver", "Aero Aebleskiver"),
    ("Łódź Sp. z o.o.", "Lodz Sp. z o.o."),
    ("Çağrı İnşaat", "Cagri Insaat"),
    ("Œuvre ﬁne", "Oeuvre fine"),
    ("“Zitat” „Anführung“ ‚einfach‘ «Guillemets»", "'Zitat' 'Anführung' 'einfach' 'Guillemets'"),
    ('Say "hi"', "Say 'hi'"),
    ("2020–2026 — fertig…", "2020-2026 - fertig..."),
    ("Zeile 1\nZeile 2\tTab", "Zeile 1 Zeile 2 Tab"),
    ("  viel   Raum  ", "viel Raum"),
    ("Preis 100 €", "Preis 100 EUR"),
    ("info@example.com", "info(at)example.com"),
    ("[RE-1]; Nr_2!", "(RE-1), Nr-2."),
    ("Nr. #42 * 3 = 126", "Nr. 42 3 126"),
    ("soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"),
    ("e\u0301cole", "ecole"),  # decomposed é
    ("Þórr Eðvarð", "Thorr Edvard"),
])
def test_transliteration_keeps_umlauts_and_finds_stand_ins(given, sent):
    assert to_sepa_text(given) == sent
    assert unsendable(sent) == []


def test_without_the_dk_extras_german_spelling():
    assert to_sepa_text("Müller & Söhne, Straße", dk=False) == "Mueller + Soehne, Strasse"
    assert to_sepa_text("ÄÖÜ", dk=False) == "AeOeUe"


def test_other_scripts_stay_and_are_reported():
    text = to_sepa_text("株式会社 Tokyo Ω")
    assert text == "株式会社 Tokyo Ω"
    assert unsendable(text) == ["株", "式", "会", "社", "Ω"]


# deadline=None: a slow or loaded machine must not fail a test of what is written, not how fast
@settings(deadline=None, max_examples=300)
@given(st.text())
def test_transliteration_only_ever_yields_sendable_text_or_foreign_letters(value):
    text = to_sepa_text(value)
    assert text == text.strip() and "  " not in text
    for c in unsendable(text):  # what is left is a letter, mark or digit of another script, never
        category = unicodedata.category(c)  # punctuation, a symbol, a space or a control character
        assert category[0] not in "PSZ" and category not in ("Cc", "Cf"), (c, category)
    assert to_sepa_text(text) == text, "transliterating twice changes nothing"
    assert set(to_sepa_text(text, dk=False)) - set(unsendable(text, dk=False)) <= BASIC


def test_new_ids_are_unique_short_and_sendable():
    ids = {new_id("MSG") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(id_problem(i) is None and i.startswith("MSG-") for i in ids)
    assert len(new_id("A" * 14)) == 35 and id_problem(new_id("")) is None


@pytest.mark.parametrize("prefix", ["A" * 15, "MSG_", "Lauf/"])
def test_new_id_refuses_prefixes_that_would_break_it(prefix):
    with pytest.raises(ValueError):
        new_id(prefix)


ID_CHARACTERS = "AZaz09/-?:().,'+ "


@settings(deadline=None, max_examples=500)  # deadline=None: as above
@given(st.text(st.sampled_from(ID_CHARACTERS + "_&ä\n"), max_size=40))
def test_an_identifier_is_sendable_exactly_when_the_epc_rules_say_so(value):
    expected = (1 <= len(value) <= 35 and all(c in BASIC for c in value)
                and not value.startswith("/") and not value.endswith("/") and "//" not in value)
    assert (id_problem(value) is None) is expected


@pytest.mark.parametrize("dk", [True, False])
def test_every_character_of_the_basic_plane_is_judged_like_the_character_set(dk):
    charset = DK if dk else BASIC
    for code in range(0x10000):
        c = chr(code)
        assert (unsendable(c, dk) == []) is (c in charset), repr(c)
        if c in charset:  # kept as it is between letters
            assert to_sepa_text(f"a{c}b", dk) == f"a{c}b", repr(c)
