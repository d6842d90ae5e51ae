"""bandstand stability: exact binomial intervals and bootstrap resamples, checked independently."""

from __future__ import annotations

import json
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bandstand import BandstandError, load_evidence
from bandstand.cli import main
from bandstand.stability import band_chances, cases_needed, clopper_pearson, stability
from helpers import EXAMPLES


def tail_at_least(k: int, n: int, p: Fraction) -> Fraction:
    """P(X >= k) for X ~ Binomial(n, p), in exact rational arithmetic (an independent calculation)."""
    return sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_solves_its_defining_equations(kn):
    k, n = kn
    lo, hi = clopper_pearson(k, n)
    # lower end: P(X >= k | lo) = 2.5%; upper end: P(X <= k | hi) = 2.5%
    if k > 0:
        assert abs(float(tail_at_least(k, n, Fraction(lo))) - 0.025) < 1e-9
    else:
        assert lo == 0.0
    if k < n:
        assert abs(float(1 - tail_at_least(k + 1, n, Fraction(hi))) - 0.025) < 1e-9
    else:
        assert hi == 1.0


@pytest.mark.parametrize("k, n, lo, hi", [
    (1, 6, 0.004211, 0.641235),   # textbook values of the exact interval
    (3, 6, 0.118117, 0.881883),
    (11, 17, 0.383284, 0.857903),
    (0, 10, 0.0, 0.308497),
])
def test_clopper_pearson_known_values(k, n, lo, hi):
    a, b = clopper_pearson(k, n)
    assert (round(a, 6), round(b, 6)) == (lo, hi)


def test_band_chances_are_binomial_sums(hmip):
    table = hmip.bands["key_question"]
    chances = band_chances(table, 11, 17)
    p = Fraction(11, 17)
    good = sum(comb(17, k) * p ** k * (1 - p) ** (17 - k) for k in range(18)
               if 65 <= (200 * k + 17) // 34 <= 79)
    assert abs(chances["good"] - float(good)) < 1e-12
    assert abs(sum(chances.values()) - 1) < 1e-12


@pytest.fixture(scope="module")
def beds():
    return load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")


def test_the_same_seed_gives_the_same_output(hmip, beds, capsys):
    outputs = []
    for _ in range(2):
        with pytest.raises(SystemExit) as e:
            main(["stability", "hmip-youth@2018", str(EXAMPLES / "bedfordshire-2021-cases.yaml"),
                  "--resamples", "300", "--seed", "5", "--format", "json"])
        assert e.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    other = stability(hmip, beds, resamples=300, seed=6)
    assert json.loads(outputs[0])["levels"]["overall"]["resamples"] != {
        str(k): v for k, v in other.levels["overall"].items()}


def test_resamples_are_drawn_within_parts(hmip, beds):
    st_ = stability(hmip, beds, resamples=500, seed=1)
    assert sum(st_.levels["overall"].values()) == 500
    # judged standards do not depend on the cases
    assert st_.levels["1.2"] == {"good": 500}
    # 2.1.1 was 1 of 6: a resample of six court cases is mostly still Inadequate
    share = st_.levels["2.1.1"]["inadequate"] / 500
    assert 0.85 < share < 0.99
    kq = next(k for k in st_.key_questions if k.node_id == "3.1.1")
    assert (kq.yes, kq.of) == (11, 17)


def test_each_resample_rates_as_binding_the_resampled_cases_would(hmip, beds):
    """Resamples reuse the checked evidence with new counts: the ratings equal binding each resample afresh."""
    import random
    from dataclasses import replace

    from bandstand import bind, evaluate

    seed, n = 3, 40
    st_ = stability(hmip, beds, resamples=n, seed=seed)
    rng = random.Random(seed)
    by_part: dict = {}
    for c in beds.cases:
        by_part.setdefault(c.part, []).append(c)
    expected: dict = {}
    for _ in range(n):
        sample = [c for p in sorted(by_part) for c in rng.choices(by_part[p], k=len(by_part[p]))]
        ev = replace(beds, cases=[replace(c, id=f"{c.id}#{i}") for i, c in enumerate(sample)])
        r = evaluate(hmip, bind(ev, hmip), explain=False)
        for k, node in [*r.nodes.items(), ("overall", r.overall)]:
            if node.rated:
                level = node.level.id if node.level else None
                expected.setdefault(k, {}).setdefault(level, 0)
                expected[k][level] += 1
    assert {k: dict(v) for k, v in st_.levels.items()} == expected


def test_published_figures_alone_are_refused(hmip):
    with pytest.raises(BandstandError, match="stability needs case-level evidence"):
        stability(hmip, load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml"))


# -- how many cases a band needs --------------------------------------------------------------------


@pytest.mark.parametrize("of", [1, 4, 6, 23])
def test_cases_needed_for_no_sufficient_case_has_a_closed_form(hmip, of):
    """0% of n cases: the interval is [0, 1 - (a/2)^(1/n)], inside Inadequate (below 49.5%) from the first such n."""
    table = hmip.bands["key_question"]
    expected = next(n for n in range(of, 1000) if 1 - 0.025 ** (1 / n) <= 0.495)
    assert cases_needed(table, 0, of) == expected == max(of, 6)


@pytest.mark.parametrize("of", [1, 6, 17])
def test_cases_needed_for_every_case_sufficient_has_a_closed_form(hmip, of):
    """100% of n cases: the interval is [(a/2)^(1/n), 1], inside Outstanding (79.5% and up) from n = 17."""
    table = hmip.bands["key_question"]
    expected = next(n for n in range(of, 1000) if 0.025 ** (1 / n) >= 0.795)
    assert cases_needed(table, of, of) == expected == 17


@pytest.mark.parametrize("yes, of", [(1, 6), (2, 6), (4, 6), (5, 6), (12, 17), (14, 17), (9, 23), (20, 23)])
def test_cases_needed_is_the_first_count_whose_interval_fits(hmip, yes, of):
    """Against a scan of every count, with intervals found by bisection on the quantiles (not by the CDF test)."""
    table = hmip.bands["key_question"]
    got = cases_needed(table, yes, of)
    assert got is not None and got >= of
    band = table.lookup(table.rounding.apply(Fraction(100 * yes, of)))
    lo, hi = (band.min - 0.5) / 100, (band.max + 0.5) / 100
    p = yes / of

    def fits(n):
        a, b = clopper_pearson(p * n, n)
        return a >= lo - 1e-9 and b <= hi + 1e-9

    assert fits(got)
    assert got == of or not fits(got - 1)
    # and no count in between fits: checked on a sample, every count up to 60 and then every 7th
    assert not any(fits(n) for n in [*range(of, min(got, 60)), *range(60, got, 7)])


def test_a_share_at_a_band_edge_needs_more_cases_than_the_limit(hmip):
    """11 of 17 (64.7%) rounds to 65% and is Good, but only just: no practical number of cases settles it."""
    assert cases_needed(hmip.bands["key_question"], 11, 17) is None
    assert cases_needed(hmip.bands["key_question"], 11, 17, limit=10_000_000) > 100_000


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_pooled_areas_with_inferred_thresholds_say_so(fmt, capsys):
    """The 2011 CCI pools answers (no node banded on a share of cases) and its thresholds are inferred."""
    cci = EXAMPLES.parent / "hmip-youth-cci-2011" / "oxfordshire-2011-cases.yaml"
    with pytest.raises(SystemExit) as e:
        main(["stability", "hmip-youth-cci@2011", str(cci), "--resamples", "50", "--format", fmt])
    assert e.value.code == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        assert data["key_questions"] == {} and data["inferred_thresholds"] == ["area"]
        assert set(data["levels"]) == {"safeguarding", "risk_of_harm", "likelihood_of_reoffending"}
    else:
        assert "inferred, not published" in out
        assert "Key questions:" not in out and "| Key question |" not in out
        assert "resamples below are of whole cases" in out
