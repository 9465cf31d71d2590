from hypothesis import given
from hypothesis import strategies as st

from kassenwart.reconciliation.engine.normalize import atoms
from kassenwart.reconciliation.engine.references import rf_in_atoms, rf_valid


def _with_check_digits(body: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def test_known_references():
    assert rf_valid("RF18 5390 0754 7034")  # the standard's example
    assert rf_valid("rf18539007547034")
    assert not rf_valid("RF19 5390 0754 7034")
    assert not rf_valid("RF18")
    assert not rf_valid("RF18" + "1" * 22)


def test_a_reference_printed_in_groups_and_cut_across_lines_is_read():
    text = "Zahlung Ref. RF18 5390 07\n54 7034 Danke"
    assert "RF18539007547034" in set(rf_in_atoms(atoms(text)))


def test_wrong_check_digits_are_not_read():
    assert "RF19539007547034" not in set(rf_in_atoms(atoms("RF19 5390 0754 7034")))


BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=1, max_size=21)


@given(body=BODY)
def test_generated_references_validate_and_are_found(body):
    ref = _with_check_digits(body)
    assert rf_valid(ref)
    spaced = " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
    assert ref in set(rf_in_atoms(atoms(f"Verwendungszweck {spaced} Danke")))


@given(body=BODY, position=st.integers(0, 30), replacement=st.sampled_from("0123456789"))
def test_one_wrong_digit_is_always_caught(body, position, replacement):
    ref = _with_check_digits(body)
    digits = [i for i, ch in enumerate(ref) if ch.isdigit()]
    position = digits[position % len(digits)]
    changed = ref[:position] + replacement + ref[position + 1 :]
    if changed != ref:
        assert not rf_valid(changed)
