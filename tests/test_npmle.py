"""The vectorised Turnbull NPMLE (analysis.npmle) against lifelines, the reference it replaces in survival.py.

Tolerances, on the survival curve (max abs difference over the grid):

* 1e-6 on the textbook examples (exact answers);
* 1e-4 against lifelines run far (tol 1e-10 on the log-likelihood, up to 1e5
  EM steps) on samples of 12-30: even so lifelines stops up to ~5e-5 short;
* 1e-2 against lifelines with the settings survival.py used when it called it
  (``tol=1e-5``, at most 300 EM steps): lifelines is then itself up
  to ~5e-3 away from the NPMLE on a few hundred observations.

So beyond the curves the tests check the estimate itself: its log-likelihood
is never below lifelines' (by more than 1e-6) and the NPMLE optimality
(Kuhn-Tucker) condition holds to 1e-5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis import npmle as nm

DAY = 1 / 365.25


def lifelines_fit(lower, upper, weights=None, tol=1e-10, max_iter=100_000):
    """lifelines' NPMLE: probabilities and the (left, right) ends of its Turnbull intervals."""
    from lifelines.fitters.npmle import npmle

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        p, intervals = npmle(np.asarray(lower, float), np.asarray(upper, float), tol=tol,
                             weights=weights, max_iter=max_iter)
    return (np.asarray(p, float), np.array([i.left for i in intervals], float),
            np.array([i.right for i in intervals], float))


def upper_curve(lower, upper, grid, weights=None):
    """lifelines' NPMLE for one sample with the settings survival.py had when it called lifelines
    (``tol=1e-5``, at most 300 EM steps), read on ``grid`` as its ``_upper`` survival column:
    one minus the mass of the Turnbull intervals that end before each time."""
    p, _, right = lifelines_fit(lower, upper, weights, tol=1e-5, max_iter=300)
    return upper_reading(p, right, grid)


def bootstrap_loop(lower, upper, grid, resamples, rng):
    """The bootstrap as one lifelines fit per resample (what survival.py did before analysis.npmle):
    multinomial counts over the distinct intervals, the absent ones dropped."""
    lo, up, counts = distinct(lower, upper)
    drawn = rng.multinomial(len(lower), counts / counts.sum(), size=resamples)
    return np.array([upper_curve(lo[row > 0], up[row > 0], grid, row[row > 0].astype(float)) for row in drawn])


def upper_reading(p, right, grid):
    """survival.py's reading: 1 - mass of the intervals whose right end is before t."""
    return 1.0 - ((right[None, :] < grid[:, None]) * p[None, :]).sum(axis=1)


def loglik_and_gap(lower, upper, weights, left, right, p):
    """Weighted log-likelihood of masses ``p`` on intervals [left, right], and the optimality gap
    max_j (1/N) sum_i w_i [j in i] / P(i) - 1 (0 at the NPMLE; the log-likelihood is at most
    N times it below the maximum). ``p`` is renormalised: lifelines' masses can sum to 1 + 2e-7
    (its log-odds line search does not renormalise), which would inflate its likelihood."""
    p = p / p.sum()
    inside = (lower[:, None] <= left[None, :]) & (right[None, :] <= upper[:, None])
    present = weights > 0
    prob = inside[present] @ p
    share = (weights[present] / prob) @ inside[present] / weights.sum()
    return float((weights[present] * np.log(prob)).sum()), float(share.max() - 1.0)


def cohort(n: int, seed: int, years: float = 8.0):
    """Departures in years since publication as the cohort data gives them: exact days, months,
    years, bounded spans, departures before publication (clipped to 0), and ~30% right-censored
    (at the as-of date, or from a possible departure date on)."""
    rng = np.random.default_rng(seed)
    t = rng.exponential(4.0, n) - 0.3
    form = rng.choice(4, n, p=[0.3, 0.35, 0.2, 0.15])
    day = np.floor(t / DAY) * DAY
    month, year = np.floor(t * 12) / 12, np.floor(t)
    span = rng.integers(1, 400, n) * DAY
    lower = np.choose(form, [day, month, year, day - span])
    upper = np.choose(form, [day, month + 1 / 12, year + 1, day + span])
    censored = (t > years) | (rng.random(n) < 0.2)
    possibly = rng.random(n) < 0.4
    lower = np.where(censored, np.where(possibly, np.floor(rng.uniform(0, years, n) / DAY) * DAY, years), lower)
    upper = np.where(censored, np.inf, upper)
    return np.clip(lower, 0, None), np.clip(upper, 0, None)


def draws(counts, n, *, seed, size):
    """``size`` bootstrap resamples of ``n`` authors as multinomial counts over the distinct intervals
    (as survival._fit draws them)."""
    return np.random.default_rng(seed).multinomial(n, counts / counts.sum(), size=size)


def grid_of(lower, upper):
    g = np.unique(np.concatenate([lower, upper, [0.0]]))
    return g[np.isfinite(g)]


def distinct(lower, upper):
    pairs, counts = np.unique(np.column_stack([lower, upper]), axis=0, return_counts=True)
    return pairs[:, 0], pairs[:, 1], counts


# the examples of tests/test_survival.py, in years
EXACT = (np.array([1.0, 2.0, 3.0, 4.5]), np.array([1.0, 2.0, 3.0, np.inf]))  # three departures, one stayer
INTERVAL = (np.array([1.0, 4.5]), np.array([3.0, np.inf]))  # left within [1, 3]; one stayer


class TestTurnbullIntervals:
    @pytest.mark.parametrize("lower, upper", [
        EXACT, INTERVAL,
        ([0, 2, 1], [2, 5, 1]),  # touching at 2: the point [2, 2]
        ([1, 2, 3, 3], [1, 2, 3, np.inf]),  # censored at an event time
        ([0, 0, 1, 1.5], [2, 0, 3, np.inf]),
        ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
    ])
    def test_same_as_lifelines(self, lower, upper):
        from lifelines.fitters.npmle import create_turnbull_intervals

        left, right = nm.turnbull_intervals(lower, upper)
        expected = create_turnbull_intervals(np.asarray(lower, float), np.asarray(upper, float))
        assert left.tolist() == [i.left for i in expected]
        assert right.tolist() == [i.right for i in expected]

    @pytest.mark.parametrize("seed", range(4))
    def test_random_cohorts_same_as_lifelines(self, seed):
        from lifelines.fitters.npmle import create_turnbull_intervals

        lower, upper = cohort(300, seed)
        left, right = nm.turnbull_intervals(lower, upper)
        expected = create_turnbull_intervals(lower, upper)
        assert len(left) == len(expected) > 20
        np.testing.assert_array_equal(left, [i.left for i in expected])
        np.testing.assert_array_equal(right, [i.right for i in expected])

    def test_closed_ends(self):
        assert [x.tolist() for x in nm.turnbull_intervals([0, 2], [2, 5])] == [[2.0], [2.0]]
        assert [x.tolist() for x in nm.turnbull_intervals([0, 3], [2, 5])] == [[0.0, 3.0], [2.0, 5.0]]

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError):
            nm.turnbull_intervals([1.0], [0.5])
        with pytest.raises(ValueError):
            nm.turnbull_intervals([np.nan], [1.0])
        with pytest.raises(ValueError):
            nm.turnbull_intervals([1.0, 2.0], [3.0])


class TestTextbook:
    def test_exact_departures_give_the_kaplan_meier_steps(self):
        """Departures at 1, 2, 3 years, one author censored at 4.5: S = 1, 3/4, 1/2, 1/4."""
        grid = np.array([0.0, 1.0, 1.5, 2.0, 3.0, 3.5, 4.5, 5.0])
        got = nm.survival_upper(*EXACT, np.ones(4), grid)[0]
        np.testing.assert_allclose(got, [1, 1, 0.75, 0.75, 0.5, 0.25, 0.25, 0.25], atol=1e-6)
        np.testing.assert_allclose(got, upper_curve(*EXACT, grid), atol=1e-6)

    def test_matches_kaplan_meier_fitter_upper_column(self):
        from lifelines import KaplanMeierFitter

        for lower, upper in (EXACT, INTERVAL, ([1, 2, 3, 3], [1, 2, 3, np.inf])):
            lower, upper = np.asarray(lower, float), np.asarray(upper, float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sf = KaplanMeierFitter().fit_interval_censoring(lower, upper, tol=1e-10).survival_function_
            grid = sf.index.to_numpy(float)
            got = nm.survival_upper(lower, upper, np.ones(len(lower)), grid)[0]
            np.testing.assert_allclose(got, sf.iloc[:, 0].to_numpy(), atol=1e-6)

    def test_censored_at_an_event_time_may_leave_then(self):
        """lifelines' intervals are closed: censored at 3 is [3, inf], which contains the event
        point [3, 3], the last Turnbull interval; so all mass is gone after 3 (not 1/4 as the
        usual Kaplan-Meier convention, censoring after deaths, would leave)."""
        lower, upper = np.array([1.0, 2.0, 3.0, 3.0]), np.array([1.0, 2.0, 3.0, np.inf])
        grid = np.array([1.0, 2.0, 3.0, 3.5])
        p = nm.self_consistency(lower, upper, np.ones(4))[0]
        np.testing.assert_allclose(p, [0.25, 0.25, 0.5], atol=1e-6)
        np.testing.assert_allclose(nm.survival_upper(lower, upper, np.ones(4), grid)[0], [1, 0.75, 0.5, 0.0], atol=1e-6)

    def test_interval_censored_mass_reads_at_the_interval_end(self):
        """A departure in [1, 3] and a stayer at 4.5: half the mass on [1, 3], read at 3."""
        grid = np.array([0.0, 1.0, 2.0, 3.0, 3.5, 4.5])
        got = nm.survival_upper(*INTERVAL, np.ones(2), grid)[0]
        np.testing.assert_allclose(got, [1, 1, 1, 1, 0.5, 0.5], atol=1e-6)
        np.testing.assert_allclose(got, upper_curve(*INTERVAL, grid), atol=1e-6)

    def test_weights_equal_repeated_rows(self):
        """The example of test_survival.test_weighted_resample_equals_the_repeated_rows."""
        lower, upper = np.array([0.0, 1.0, 2.0, 0.5]), np.array([0.0, 3.0, np.inf, 0.5])
        weights = np.array([2.0, 1.0, 3.0, 1.0])
        grid = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0])
        got = nm.survival_upper(lower, upper, weights, grid)[0]
        repeated = nm.survival_upper(np.repeat(lower, [2, 1, 3, 1]), np.repeat(upper, [2, 1, 3, 1]), np.ones(7), grid)[0]
        np.testing.assert_allclose(got, repeated, atol=1e-7)
        np.testing.assert_allclose(got, upper_curve(lower, upper, grid, weights), atol=1e-4)


class TestAgainstLifelines:
    @pytest.mark.parametrize("n, seed", [(12, 0), (14, 1), (20, 2), (30, 3)])
    def test_small_samples_match_converged_lifelines(self, n, seed):
        lower, upper = cohort(n, seed)
        grid = grid_of(lower, upper)
        p, _, right = lifelines_fit(lower, upper)
        got = nm.survival_upper(lower, upper, np.ones(n), grid)[0]
        np.testing.assert_allclose(got, upper_reading(p, right, grid), atol=1e-4)

    @pytest.mark.parametrize("n, seed", [(50, 0), (120, 1), (200, 2), (300, 3)])
    def test_random_samples(self, n, seed):
        lower, upper = cohort(n, seed)
        grid = grid_of(lower, upper)
        w = np.ones(n)
        got = nm.survival_upper(lower, upper, w, grid)[0]
        assert np.abs(got - upper_curve(lower, upper, grid)).max() <= 1e-2
        # at least as likely as lifelines' answer, and optimal
        left, right = nm.turnbull_intervals(lower, upper)
        ours = loglik_and_gap(lower, upper, w, left, right, nm.self_consistency(lower, upper, w)[0])
        p, l_left, l_right = lifelines_fit(lower, upper, tol=1e-5, max_iter=300)
        theirs = loglik_and_gap(lower, upper, w, l_left, l_right, p)
        assert ours[0] >= theirs[0] - 1e-6
        assert ours[1] < 1e-5

    @pytest.mark.parametrize("n, seed", [(14, 0), (60, 1), (150, 2), (250, 3)])
    def test_weighted_resamples_as_survival_py_fits_them(self, n, seed):
        """Multinomial counts with zeros: each row against lifelines fitted, as in survival._bootstrap,
        on the distinct intervals drawn at least once, with the counts as weights."""
        lower, upper = cohort(n, seed)
        grid = grid_of(lower, upper)
        lo, up, counts = distinct(lower, upper)
        drawn = draws(counts, n, seed=seed, size=6).astype(float)
        assert (drawn == 0).any()
        got = nm.survival_upper(lo, up, drawn, grid)
        for row, w in zip(got, drawn):
            keep = w > 0
            assert np.abs(row - upper_curve(lo[keep], up[keep], grid, w[keep])).max() <= 1e-2
            p, left, right = lifelines_fit(lo[keep], up[keep], w[keep], tol=1e-5, max_iter=300)
            theirs = loglik_and_gap(lo[keep], up[keep], w[keep], left, right, p)
            mine = nm.self_consistency(lo, up, w)[0]
            ours = loglik_and_gap(lo, up, w, *nm.turnbull_intervals(lo, up), mine)
            assert ours[0] >= theirs[0] - 1e-6
            assert ours[1] < 1e-5

    @pytest.mark.parametrize("seed", range(3))
    def test_small_weighted_resamples_match_converged_lifelines(self, seed):
        lower, upper = cohort(16, seed)
        grid = grid_of(lower, upper)
        lo, up, counts = distinct(lower, upper)
        drawn = draws(counts, 16, seed=seed, size=8).astype(float)
        got = nm.survival_upper(lo, up, drawn, grid)
        left, right = nm.turnbull_intervals(lo, up)
        for row, mine, w in zip(got, nm.self_consistency(lo, up, drawn), drawn):
            keep = w > 0
            p, l_left, l_right = lifelines_fit(lo[keep], up[keep], w[keep])
            np.testing.assert_allclose(row, upper_reading(p, l_right, grid), atol=1e-4)
            theirs = loglik_and_gap(lo[keep], up[keep], w[keep], l_left, l_right, p)
            ours = loglik_and_gap(lo, up, w, left, right, mine)
            assert ours[0] >= theirs[0] - 1e-6 and ours[1] < 1e-6


class TestSurvivalFunction:
    """analysis.npmle.survival_function, survival.py's point fit, against lifelines'
    ``KaplanMeierFitter.fit_interval_censoring(...).survival_function_`` (both columns, same index)."""

    @staticmethod
    def kmf_table(lower, upper, weights=None):
        from lifelines import KaplanMeierFitter

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return KaplanMeierFitter().fit_interval_censoring(
                np.asarray(lower, float), np.asarray(upper, float), weights=weights, tol=1e-10, max_iter=100_000,
            ).survival_function_

    def check(self, lower, upper, weights=None, atol=1e-4):
        sf = self.kmf_table(lower, upper, weights)
        times, high, low, p = nm.survival_function(lower, upper, weights)
        np.testing.assert_array_equal(times, sf.index.to_numpy(float))
        np.testing.assert_allclose(high, sf.iloc[:, 0].to_numpy(float), atol=atol)
        np.testing.assert_allclose(low, sf.iloc[:, 1].to_numpy(float), atol=atol)
        assert p.sum() == pytest.approx(1.0)
        return times, high, low

    def test_textbook_exact_departures(self):
        times, high, low = self.check(*EXACT, atol=1e-7)
        # at each departure the survival before it; the stayer's [4.5, inf) mass is gone only at inf
        np.testing.assert_allclose(high, [1, 0.75, 0.5, 0.25, 0.25], atol=1e-7)
        np.testing.assert_allclose(low, [1, 0.75, 0.5, 0.25, 0], atol=1e-7)

    def test_interval_censored_bounds(self):
        """A departure in [1, 3] and a stayer at 4.5: the mass 1/2 lies somewhere in [1, 3], so at 3
        the survival is between 1/2 (all of it left by then) and 1 (none of it left before 3)."""
        times, high, low = self.check(*INTERVAL, atol=1e-7)
        assert list(times) == [1.0, 3.0, 4.5, np.inf]
        np.testing.assert_allclose(high, [1, 1, 0.5, 0.5], atol=1e-7)
        np.testing.assert_allclose(low, [1, 0.5, 0.5, 0], atol=1e-7)

    def test_censored_at_an_event_time(self):
        self.check([1, 2, 3, 3], [1, 2, 3, np.inf], atol=1e-7)

    @pytest.mark.parametrize("n, seed", [(12, 0), (14, 1), (30, 3), (120, 3)])
    def test_cohort_shaped_samples(self, n, seed):
        """Within 5e-4 of lifelines run far (which EM leaves up to ~2e-4 short of the NPMLE on these),
        and the fit itself optimal: the Kuhn-Tucker gap below 1e-5. (Some samples, e.g.
        ``cohort(30, 2)``, take lifelines' EM over 10**5 steps and 14 s: not these.)"""
        lower, upper = cohort(n, seed)
        self.check(lower, upper, atol=5e-4)
        p = nm.survival_function(lower, upper)[3]
        assert loglik_and_gap(lower, upper, np.ones(n), *nm.turnbull_intervals(lower, upper), p)[1] < 1e-5

    def test_weights_as_counts(self):
        """kaplan_meier fits the distinct intervals weighted by their counts: the same table."""
        lower, upper = cohort(40, 5)
        lo, up, counts = distinct(np.round(lower, 0), np.round(upper, 0))
        self.check(lo, up, counts.astype(float))
        times, high, low, _ = nm.survival_function(np.repeat(lo, counts), np.repeat(up, counts))
        got = nm.survival_function(lo, up, counts.astype(float))
        np.testing.assert_array_equal(got[0], times)
        np.testing.assert_allclose(got[1], high, atol=1e-6)
        np.testing.assert_allclose(got[2], low, atol=1e-6)


class TestResampleIntervals:
    def test_dropped_observation_merges_intervals(self):
        """Full sample [0, 3], [1, 2]: one Turnbull interval, [1, 2]. Without [1, 2] the resample's
        interval is [0, 3], so lifelines reads the mass at 3: S(3) = 1, not 0."""
        lower, upper = np.array([0.0, 1.0]), np.array([3.0, 2.0])
        grid = np.array([1.0, 2.0, 2.5, 3.0, 3.5])
        got = nm.survival_upper(lower, upper, np.array([[2.0, 0.0], [1.0, 1.0]]), grid)
        np.testing.assert_allclose(got[0], [1, 1, 1, 1, 0], atol=1e-9)
        np.testing.assert_allclose(got[0], upper_curve(lower[:1], upper[:1], grid, np.array([2.0])), atol=1e-9)
        np.testing.assert_allclose(got[1], [1, 1, 0, 0, 0], atol=1e-9)
        np.testing.assert_allclose(got[1], upper_curve(lower, upper, grid, np.ones(2)), atol=1e-9)

    def test_dropped_observation_moves_mass_out_of_an_interval(self):
        """Full sample [0, 1], [0.5, 3], [2, 4]: intervals [0.5, 1], [2, 3]. Without [0.5, 3] the
        resample's intervals are [0, 1] and [2, 4]; nothing may stay on a full-sample interval
        outside them, and the mass at [2, 4] is read at 4."""
        lower, upper = np.array([0.0, 0.5, 2.0]), np.array([1.0, 3.0, 4.0])
        w = np.array([1.0, 0.0, 3.0])
        grid = np.array([0.5, 1.0, 1.5, 3.0, 3.5, 4.0, 4.5])
        np.testing.assert_allclose(nm.self_consistency(lower, upper, w)[0], [0.25, 0.75], atol=1e-9)
        got = nm.survival_upper(lower, upper, w, grid)[0]
        np.testing.assert_allclose(got, [1, 1, 0.75, 0.75, 0.75, 0.75, 0.0], atol=1e-9)
        np.testing.assert_allclose(got, upper_curve(lower[w > 0], upper[w > 0], grid, w[w > 0]), atol=1e-9)

    @pytest.mark.parametrize("icm", [True, False])
    def test_mass_outside_a_resample_s_own_intervals_is_zero(self, icm, monkeypatch):
        if not icm:  # EM alone would only let such mass decay: it must start (and stay) at 0
            monkeypatch.setattr(nm, "_isotonic", lambda: None)
        lower, upper = cohort(200, 7)
        lo, up, counts = distinct(lower, upper)
        drawn = draws(counts, 200, seed=7, size=20).astype(float)
        p = nm.self_consistency(lo, up, drawn, max_iter=50)
        layout = nm._Layout(lo, up)
        inside, _ = layout.support(drawn > 0)
        assert (~inside).any()
        assert (p[~inside] == 0).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)

    def test_reading_the_full_sample_intervals_would_differ(self):
        """The right ends of the resample's own intervals matter: reading the same masses at the
        full sample's right ends gives a visibly different curve for some resample."""
        lower, upper = cohort(150, 11)
        lo, up, counts = distinct(lower, upper)
        grid = grid_of(lower, upper)
        drawn = draws(counts, 150, seed=11, size=20).astype(float)
        p = nm.self_consistency(lo, up, drawn)
        _, right = nm.turnbull_intervals(lo, up)
        naive = np.array([upper_reading(row, right, grid) for row in p])
        assert np.abs(naive - nm.survival_upper(lo, up, drawn, grid)).max() > 0.01


class TestVectorised:
    def test_many_resamples_equal_one_at_a_time(self):
        lower, upper = cohort(250, 5)
        lo, up, counts = distinct(lower, upper)
        grid = grid_of(lower, upper)
        drawn = draws(counts, 250, seed=5, size=12)
        together = nm.survival_upper(lo, up, drawn, grid)
        assert together.shape == (12, len(grid))
        for row, w in zip(together, drawn):
            np.testing.assert_allclose(row, nm.survival_upper(lo, up, w, grid)[0], atol=1e-6)
        probabilities = nm.self_consistency(lo, up, drawn)
        for row, w in zip(probabilities, drawn):
            np.testing.assert_allclose(row, nm.self_consistency(lo, up, w)[0], atol=1e-6)

    def test_warm_start_gives_the_same_estimate(self):
        lower, upper = cohort(200, 6)
        lo, up, counts = distinct(lower, upper)
        grid = grid_of(lower, upper)
        drawn = draws(counts, 200, seed=6, size=10)
        cold = nm.survival_upper(lo, up, drawn, grid)
        np.testing.assert_allclose(nm.survival_upper(lo, up, drawn, grid, init="full"), cold, atol=1e-5)
        full = nm.self_consistency(lo, up, counts)[0]
        np.testing.assert_allclose(nm.survival_upper(lo, up, drawn, grid, init=full), cold, atol=1e-5)

    def test_drop_in_for_the_bootstrap_loop(self):
        """Same random draws as a loop of lifelines fits (multinomial with size=R draws row by row),
        so the same resamples and, up to lifelines' convergence, the same curves."""
        lower, upper = cohort(120, 8)
        grid = grid_of(lower, upper)
        expected = bootstrap_loop(lower, upper, grid, 15, np.random.default_rng(3))
        lo, up, counts = distinct(lower, upper)
        drawn = draws(counts, len(lower), seed=3, size=15)
        got = nm.survival_upper(lo, up, drawn, grid)
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() <= 1e-2
        assert np.abs(got - expected).mean() <= 1e-3

    def test_em_only_fallback_reaches_the_same_estimate(self, monkeypatch):
        """Without scipy's isotonic regression (scipy < 1.12) the iteration is plain EM, accelerated."""
        lower, upper = cohort(60, 9)
        lo, up, counts = distinct(lower, upper)
        grid = grid_of(lower, upper)
        drawn = draws(counts, 60, seed=9, size=5)
        expected = nm.survival_upper(lo, up, drawn, grid, tol=1e-9)
        monkeypatch.setattr(nm, "_isotonic", lambda: None)
        got = nm.survival_upper(lo, up, drawn, grid, tol=1e-10, max_iter=20_000)
        np.testing.assert_allclose(got, expected, atol=1e-4)

    def test_warns_when_stopped_by_max_iter(self):
        lower, upper = cohort(100, 4)
        with pytest.warns(RuntimeWarning, match="max_iter=2"):
            nm.self_consistency(lower, upper, np.ones(100), max_iter=2)

    def test_one_resample_is_one_row(self):
        got = nm.self_consistency(*EXACT, np.ones(4), return_iterations=True)
        assert got[0].shape == (1, 4) and got[1].shape == (1,)

    def test_rejects_bad_weights(self):
        with pytest.raises(ValueError):
            nm.self_consistency(*EXACT, np.ones(3))
        with pytest.raises(ValueError):
            nm.self_consistency(*EXACT, -np.ones(4))
        with pytest.raises(ValueError):
            nm.self_consistency(*EXACT, np.zeros((2, 4)))
