from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassenwart.reconciliation.engine import MatchingConfig
from kassenwart.reconciliation.engine.amounts import Fit, allocate, exact_subsets, fit

CONFIG = MatchingConfig()
D = Decimal


@pytest.mark.parametrize(
    ("payment", "opens", "kind"),
    [
        ("800.65", ["800.65"], Fit.EXACT),
        ("784.64", ["800.65"], Fit.SKONTO),  # 2 %
        ("786.13", ["810.44"], Fit.SKONTO),  # 3 %
        ("2332.41", ["2347.41"], Fit.FEE),
        ("140.00", ["420.00"], Fit.INSTALLMENT),
        ("103.84", ["415.37"], Fit.INSTALLMENT),
        ("70.00", ["700.00"], Fit.INSTALLMENT),
        ("508.09", ["580.09"], Fit.PARTIAL),
        ("220.00", ["214.28"], Fit.OVERPAID),
        ("1075.82", ["625.38", "450.44"], Fit.EXACT),
        ("500.00", ["800.00", "-300.00"], Fit.EXACT),  # credit note offset
        ("100.00", ["-100.00"], Fit.NONE),
    ],
)
def test_fit(payment, opens, kind):
    assert fit(D(payment), [D(o) for o in opens], CONFIG).kind is kind


def test_skonto_percentages_come_from_the_config():
    config = MatchingConfig(skonto_percents=(D("1.5"),), max_fee=D("0"))
    result = fit(D("985.00"), [D("1000.00")], config)
    assert (result.kind, result.percent) == (Fit.SKONTO, D("1.5"))
    assert fit(D("980.00"), [D("1000.00")], config).kind is Fit.PARTIAL


def test_reasons_read_like_a_person_would_say_it():
    assert fit(D("784.64"), [D("800.65")], CONFIG).reason(1) == "Skonto 2 % (16.01 deducted)"
    collective = fit(D("10.00"), [D("4.00"), D("6.00")], CONFIG)
    assert collective.reason(2) == "amount equals sum of 2 open amounts"


def test_a_shortfall_is_spread_and_credit_notes_are_used_up():
    opens = [("a", D("600.00")), ("b", D("400.00")), ("c", D("-100.00"))]
    result = fit(D("882.00"), [a for _, a in opens], CONFIG)
    applied, surplus, write_off = allocate(D("882.00"), opens, result)
    assert result.kind is Fit.SKONTO
    assert applied == {"c": D("-100.00"), "a": D("589.20"), "b": D("392.80")}
    assert (surplus, write_off) == (D("0"), D("18.00"))


def test_a_partial_payment_settles_the_oldest_first():
    opens = [("old", D("100.00")), ("new", D("100.00"))]
    applied, _, _ = allocate(D("150.00"), opens, fit(D("150.00"), [D("200.00")], CONFIG))
    assert applied == {"old": D("100.00"), "new": D("50.00")}


MONEY = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)


@given(opens=st.lists(MONEY, min_size=1, max_size=6), payment=MONEY)
def test_allocations_add_up_to_the_payment_minus_the_surplus(opens, payment):
    items = [(str(i), amount) for i, amount in enumerate(opens)]
    result = fit(payment, opens, CONFIG)
    applied, surplus, write_off = allocate(payment, items, result)
    assert sum(applied.values()) + surplus == payment
    assert all(applied[i] <= amount for i, amount in items if i in applied)
    assert surplus >= 0 and write_off >= 0


def test_exact_subsets_find_sums_with_credit_notes():
    items = [("a", D("10.00")), ("b", D("20.00")), ("c", D("-5.00")), ("d", D("7.00"))]
    assert exact_subsets(items, D("25.00"), limit=5) == [frozenset({"a", "b", "c"})]
    assert exact_subsets(items, D("99.00"), limit=5) == []


@given(amounts=st.lists(MONEY, min_size=2, max_size=20, unique=True), data=st.data())
def test_exact_subsets_find_a_chosen_subset(amounts, data):
    items = [(str(i), a) for i, a in enumerate(amounts)]
    chosen = data.draw(st.sets(st.sampled_from([i for i, _ in items]), min_size=2))
    target = sum(a for i, a in items if i in chosen)
    found = exact_subsets(items, target, limit=10_000)
    assert frozenset(chosen) in found
    assert all(sum(a for i, a in items if i in s) == target for s in found)
