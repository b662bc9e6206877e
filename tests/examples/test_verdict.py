"""The one verdict rule every example uses (examples/_verdict.py): holds only when the effect
beats the seed-to-seed spread, does not hold when the opposite effect does, unclear otherwise."""
import math

import pytest

from examples._verdict import DOES_NOT_HOLD, HOLDS, UNCLEAR, describe, median_range, verdict, within


def test_holds_only_when_the_difference_of_medians_beats_the_larger_range():
    v = verdict([0.95, 0.96, 0.97], [0.50, 0.55, 0.60])
    assert v.status == HOLDS
    assert v.effect == pytest.approx(0.41) and v.noise == pytest.approx(0.10)
    # the same medians, but one side spread wider than the difference: no verdict
    assert verdict([0.5, 0.96, 0.97], [0.50, 0.55, 0.60]).status == UNCLEAR


def test_does_not_hold_when_the_opposite_effect_beats_the_noise():
    v = verdict([1, 2], [5, 6], labels=("ReLU", "tanh"))
    assert v.status == DOES_NOT_HOLD and v.effect == -4 and v.noise == 1
    assert v.text.startswith("does not hold: ReLU 1.5 [1-2] vs tanh 5.5 [5-6]")
    assert "the opposite way" in v.text


def test_a_difference_the_size_of_the_noise_gives_no_verdict():
    # issue 14's example: 0.097 vs 0.098 validation error, one image in a thousand
    assert verdict([0.098, 0.097, 0.099], [0.097, 0.096, 0.098]).status == UNCLEAR
    assert verdict([1.0], [1.0]).status == UNCLEAR                 # no effect, no noise
    assert verdict([2.0, 3.0], [1.0, 2.0]).status == UNCLEAR         # effect == noise


def test_a_reference_number_has_no_spread():
    assert verdict([0.9, 0.92], 0.5).noise == pytest.approx(0.02)
    assert verdict(0.05, [0.001, 0.002]).status == HOLDS


def test_log_scale_compares_ratios():
    v = verdict([3000, 2900, 3100], [500, 520, 480], log=True)
    assert v.status == HOLDS
    assert v.effect == pytest.approx(math.log(6)) and "x6" in v.text
    assert v.noise == pytest.approx(math.log(520 / 480))
    with pytest.raises(ValueError, match="positive"):
        verdict([0.0, 1.0], [1.0], log=True)


def test_not_reached_is_infinite_and_the_budget_bounds_it_on_the_larger_side():
    assert verdict([None, None, None], [5, 6, 7]).status == HOLDS       # never vs always
    assert verdict([None, 900, None], [5, 6, 7]).status == UNCLEAR     # mixed: infinite range
    v = verdict([None, 900, None], [5, 6, 7], log=True, budget=2000)
    assert v.status == HOLDS and "counted as the budget, 2000" in v.text
    # on the smaller side "not reached" stays infinite: the claim cannot hold
    assert verdict([5, 6, 7], [None, None, None], budget=100).status == DOES_NOT_HOLD
    assert verdict([None, None], [None, None]).status == UNCLEAR


def test_within_a_tolerance():
    ln10 = math.log(10)
    assert within([2.302, 2.303, 2.304], ln10, 0.01 * ln10).status == HOLDS
    assert within([2.7, 2.75], ln10, 0.01 * ln10).status == DOES_NOT_HOLD
    assert within([2.30, 2.34], ln10, 0.01 * ln10).status == UNCLEAR     # straddles it
    assert within([11935, 11935], 11935, 0.5).status == HOLDS


def test_describe_and_median_range():
    assert describe([0.9, 0.95, 0.97]) == "0.95 [0.9-0.97]"
    assert describe([5, 5, 5]) == "5"
    assert describe([120, None, 300]) == "300 [120-not reached]"
    assert median_range([3, 1, 2]) == (2.0, 1.0, 3.0)
    with pytest.raises(ValueError, match="numbers"):
        verdict([], [1.0])
    with pytest.raises(ValueError, match="numbers"):
        verdict([float("nan")], [1.0])


def test_to_dict_is_json_ready():
    d = verdict([None], [1.0]).to_dict()
    assert d["status"] == HOLDS and d["effect"] is None and d["noise"] == 0.0


def test_the_docstring_examples_run():
    import doctest

    import examples._verdict
    result = doctest.testmod(examples._verdict)
    assert result.attempted > 10 and result.failed == 0
