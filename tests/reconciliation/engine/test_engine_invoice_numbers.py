import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassenwart.reconciliation.engine.invoice_numbers import learn_shape, typo
from kassenwart.reconciliation.engine.normalize import atoms

RE_SCHEME = [f"RE-2026-{n:05d}" for n in range(2590, 4600)]
INV_SCHEME = [f"INV{n:06d}" for n in range(100, 2100)]
PLAIN_SCHEME = [str(n) for n in range(480000, 482000)]
SLASH_SCHEME = [f"2026/{n:04d}" for n in range(1, 2000)]


def test_the_common_letters_are_affixes_not_part_of_the_key():
    shape = learn_shape(RE_SCHEME)
    assert shape.affixes == {"RE"}
    assert shape.key("RE-2026-01234") == "202601234"
    assert not shape.has_letters


def test_without_letters_nothing_is_an_affix():
    shape = learn_shape(PLAIN_SCHEME)
    assert shape.affixes == frozenset()
    assert (shape.min_length, shape.max_length) == (6, 6)


@pytest.mark.parametrize(
    ("numbers", "number", "spellings", "short"),
    [
        (RE_SCHEME, "RE-2026-03790", {"202603790", "20263790"}, {"3790"}),
        (SLASH_SCHEME, "2026/0456", {"20260456", "2026456"}, {"456"}),
        # the serial alone is no full spelling: "123" could be anything
        (INV_SCHEME, "INV000123", {"000123"}, {"123"}),
        (PLAIN_SCHEME, "480123", {"480123"}, set()),
    ],
)
def test_forms_follow_the_learned_serial(numbers, number, spellings, short):
    forms = learn_shape(numbers).forms(number)
    assert set(forms.spellings) == spellings
    assert set(forms.short) == short


def test_the_serial_is_the_group_that_varies_even_when_it_comes_first():
    shape = learn_shape([f"{n:05d}/26" for n in range(1, 3000)])
    assert shape.forms("00456/26").short == ("456",)


def test_windows_glue_parts_cut_by_separators_and_line_breaks():
    shape = learn_shape(RE_SCHEME)
    text = "Zahlung RE-2026-0\n3698 und RE 2026 04011 Danke"
    texts = {w.text for w in shape.windows(atoms(text))}
    assert {"202603698", "202604011"} <= texts
    assert not any("DANKE" in t for t in texts)


def test_looks_like_knows_the_positions_that_never_vary():
    shape = learn_shape(RE_SCHEME)
    assert shape.looks_like("202600156")  # not open, but the company's shape
    assert not shape.looks_like("197305251")
    assert not shape.looks_like("2026001")


@pytest.mark.parametrize(
    ("written", "meant", "what"),
    [
        ("202640085", "202604085", "1 transposition"),
        ("202603780", "202603760", "1 wrong digit"),
        ("20260385", "202603858", "1 missing digit"),
        ("2026038588", "202603858", "1 extra digit"),
        ("202603858", "202603858", None),
        ("202685803", "202603858", None),
    ],
)
def test_typo_names_the_one_typing_error(written, meant, what):
    assert typo(written, meant) == what


SPELL = st.sampled_from(
    [
        lambda n: n,
        lambda n: n.lower(),
        lambda n: n.replace("-", " "),
        lambda n: n.replace("-", ""),
        lambda n: n.replace("RE-", ""),
        lambda n: n.replace("RE-2026-", "RE 2026/"),
        lambda n: n.replace("-", "").replace("RE", ""),
    ]
)


@given(
    serial=st.integers(2590, 4599),
    spell=SPELL,
    cut=st.integers(0, 20),
    words=st.sampled_from(["", "Rg. ", "Zahlung zu "]),
)
def test_any_spelling_of_a_number_yields_its_key(serial, spell, cut, words):
    shape = learn_shape(RE_SCHEME)
    number = f"RE-2026-{serial:05d}"
    written = words + spell(number) + " Danke"
    cut = min(cut, len(written))
    text = written[:cut] + "\n" + written[cut:]  # the bank's line break, anywhere
    texts = {w.text for w in shape.windows(atoms(text))}
    assert shape.key(number) in texts
