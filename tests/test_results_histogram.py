"""The Risk sheet's histogram counted on the simulation's sorted draws: numpy's figures."""
import numpy as np

from calculator.workbook.results import histogram_of_sorted


def test_ten_draws_in_three_bins_worked_by_hand():
    # draws 0..9 over [0, 9] in 3 bins: edges 0, 3, 6, 9; [0, 3) holds 0, 1, 2; [3, 6) holds
    # 3, 4, 5; the last bin is closed, [6, 9] holds 6, 7, 8, 9
    counts, edges = histogram_of_sorted(np.arange(10.0), 3, 0.0, 9.0)
    assert counts.tolist() == [3, 3, 4]
    assert edges.tolist() == [0.0, 3.0, 6.0, 9.0]


def test_counts_and_edges_are_numpys_to_the_last_bit():
    # random draws, ties, values exactly on the edges, a constant (its range widened by 1 as
    # the Risk sheet does), a range that starts at -0.0, and huge and tiny spreads
    rng = np.random.default_rng(11)
    cases = [rng.normal(size=n) * scale + shift for n in (1, 2, 7, 100, 10_000)
             for scale, shift in ((1.0, 0.0), (1e6, -3e5), (1e-7, 12.0))]
    cases.append(np.repeat(rng.normal(size=50), 40))
    cases.append(np.linspace(-5.0, 15.0, 21))              # every edge of 20 bins is a draw
    cases.append(np.array([-0.0, 0.0, 0.0, 1.0, 2.0]))
    cases.append(np.full(30, 7.25))
    cases.append(rng.integers(-3, 4, size=999).astype(float) * 0.1)
    for draws in cases:
        ordered = np.sort(draws)
        low, high = float(np.min(draws)), float(np.max(draws))
        if high - low < 1e-9:
            high = low + 1.0
        for bins in (1, 3, 20):
            counts, edges = histogram_of_sorted(ordered, bins, low, high)
            want_counts, want_edges = np.histogram(draws, bins=bins, range=(low, high))
            assert counts.tolist() == want_counts.tolist(), (draws[:5], bins)
            assert [e.hex() for e in edges.tolist()] == \
                [e.hex() for e in want_edges.tolist()], (draws[:5], bins)
