import pytest

from kassenwart.reconciliation.engine.normalize import atoms, compact, name_keys


def test_compact_keeps_letters_and_digits_upper_case():
    assert compact(" de89 3704-0044 0532 0130 00 ") == "DE89370400440532013000"


def test_atoms_split_at_every_separator_and_line_break():
    assert atoms("Rg.Nr. RE-2026-0\n3698 Danke") == ["RG", "NR", "RE", "2026", "0", "3698", "DANKE"]


def test_atoms_split_letters_from_digits():
    assert atoms("re2026-03306") == ["RE", "2026", "03306"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RE-2026-O3558", ["RE", "2026", "03558"]),
        ("RE-2026-04O11", ["RE", "2026", "04011"]),
        ("Konto 4711", ["KONTO", "4711"]),  # an o inside a word stays a letter
        ("Rechnung 2O26", ["RECHNUNG", "2026"]),
    ],
)
def test_a_letter_o_among_digits_is_a_zero(text, expected):
    assert atoms(text) == expected


@pytest.mark.parametrize(
    ("bank", "crm"),
    [
        ("SCHROEDER ENERGIE UG (HAFTUNGSBESCH", "Schröder Energie UG (haftungsbeschränkt)"),
        ("BERGMANN KUNSTSTOFFTECHNIK GMBH & C", "Bergmann Kunststofftechnik GmbH & Co. KG"),
        ("Ludwig & Sauer Gesellschaft mbH u. Co KG", "Ludwig & Sauer GmbH & Co. KG"),
        ("KATHARINA KUEHN LOGISTIK", "Katharina Kühn Logistik"),
        ("Grosse Optik e. K.", "Große Optik e.K."),
        ("Vogel Medizintechnik GmbH &", "Vogel Medizintechnik GmbH & Co. KG"),
        ("Meier + Brunner OHG", "Meier und Brunner OHG"),
        ("DENTAL ELBE GES.M.B.H.", "Dental Elbe GmbH"),  # Austrian spelling
        ("Pichler Software Aktiengesellschaft", "Pichler Software AG"),
        ("KRAUS HAUSTECHNIK AKTIENGESELLSCHAF", "Kraus Haustechnik AG"),  # cut at 35
        ("Textil Nord Kommanditgesellschaft", "Textil Nord KG"),
    ],
)
def test_bank_spellings_of_a_name_share_the_core(bank, crm):
    assert name_keys(bank).core == name_keys(crm).core


def test_the_full_key_keeps_the_legal_form_apart():
    assert name_keys("Dental Elbe GmbH").full != name_keys("Dental Elbe mbH").full
    long_form = name_keys("Wimmer & Mayer Gesellschaft mbH")
    assert long_form.full == name_keys("Wimmer & Mayer GmbH").full


def test_the_written_out_legal_form_is_the_short_one():
    assert name_keys("Dental Elbe Ges.m.b.H.").full == name_keys("Dental Elbe GmbH").full
    assert name_keys("Pichler Aktiengesellschaft").legal_form == "ag"
    assert name_keys("Meier & Brunner GmbH & Co. KG").legal_form == "gmbh & co kg"
    assert name_keys("Katharina Kühn Logistik").legal_form == ""


def test_a_name_that_is_only_a_legal_form_keeps_a_core():
    assert name_keys("AG").core == "ag"
