"""The shipped data reproduces the seed articles' facts, computed through the loader.

Seeds (../shared/seeds/): 14 authors; 11 left Meta; Touvron, Martinet and Azhar remain;
5 are at Mistral, Lample and Lacroix as co-founders; the destinations of the 11;
departures from early 2023 to early 2025; leavers' average tenure "over five years".
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import load_cohort, metrics as m
from conftest import SHIPPED

LLAMA = "LLaMA (2023)"
# arXiv 2302.13971, author order as on the paper
PAPER_ORDER = [
    "Hugo Touvron", "Thibaut Lavril", "Gautier Izacard", "Xavier Martinet", "Marie-Anne Lachaux",
    "Timothée Lacroix", "Baptiste Rozière", "Naman Goyal", "Eric Hambro", "Faisal Azhar",
    "Aurelien Rodriguez", "Armand Joulin", "Edouard Grave", "Guillaume Lample",
]
DESTINATIONS = {
    "Naman Goyal": "Thinking Machines Lab",
    "Baptiste Rozière": "Mistral AI",
    "Aurelien Rodriguez": "Cohere",
    "Eric Hambro": "Anthropic",
    "Timothée Lacroix": "Mistral AI",
    "Marie-Anne Lachaux": "Mistral AI",
    "Thibaut Lavril": "Mistral AI",
    "Armand Joulin": "Google DeepMind",
    "Gautier Izacard": "Microsoft AI",
    "Edouard Grave": "Kyutai",
    "Guillaume Lample": "Mistral AI",
}


@pytest.fixture(scope="module")
def llama():
    cohort = load_cohort(SHIPPED)
    return cohort[cohort["paper"] == LLAMA].reset_index(drop=True)


def test_fourteen_authors_in_paper_order(llama):
    assert llama["author"].tolist() == PAPER_ORDER
    assert (llama["origin_org"] == "Meta").all()
    assert (llama["published"] == "2023-02-27").all()


def test_eleven_left_three_remain(llama):
    assert int(llama["departed"].sum()) == 11
    assert set(llama.loc[~llama["departed"], "author"]) == {"Hugo Touvron", "Xavier Martinet", "Faisal Azhar"}


def test_five_at_mistral_two_cofounders(llama):
    mistral = llama[llama["destination"] == "Mistral AI"]
    assert len(mistral) == 5
    assert set(mistral.loc[mistral["founder"].fillna(False).astype(bool), "author"]) == {"Guillaume Lample", "Timothée Lacroix"}
    assert int(llama["founder"].fillna(False).astype(bool).sum()) == 2


def test_destinations_of_the_eleven(llama):
    leavers = llama[llama["departed"]]
    assert dict(zip(leavers["author"], leavers["destination"])) == DESTINATIONS


def test_departures_from_early_2023_to_early_2025(llama):
    leavers = llama[llama["departed"]]
    published = pd.Timestamp("2023-02-27")
    # every departure interval lies between publication and the 2025-05-26 snapshot
    assert (leavers["left_start"] >= published).all()
    assert leavers["left_end"].max() == pd.Timestamp("2025-05-26")
    # the first dated departure is in spring 2023 (Izacard, April 2023)
    dated = leavers[leavers["left_kind"].isin(["day", "month", "year"])]
    first = dated.loc[dated["left_start"].idxmin()]
    assert (first["author"], first["left"]) == ("Gautier Izacard", "2023-04")
    # the last departure known to the month is August 2024 (Rozière); three leavers
    # (Goyal, Hambro, Rodriguez) have no public date: only "by 2025-05-26"
    assert dated["left_end"].max() == pd.Timestamp("2024-08-31")
    undated = leavers[leavers["left_end"] == pd.Timestamp("2025-05-26")]
    assert set(undated["author"]) == {"Naman Goyal", "Eric Hambro", "Aurelien Rodriguez"}


def test_tenure_of_leavers_with_known_join(llama):
    """Seed: leavers averaged "over five years" at Meta.

    Public join dates are scarce: all 11 leavers have a sourced bound on when they
    joined, but only Izacard's join is known to the year; the others are "on or
    before" bounds (first Facebook paper, public AMA). Seven rows also carry a
    stated length ("plus de huit ans", "6+ years"), which narrows the interval.
    So the data gives a *lower bound* on tenure: at least 4.9 years on average,
    and more than five years for 5 of the 11. It cannot confirm "over five
    years" without guessing join dates; the claims section says "undecided".
    """
    tenure = m.tenure(llama)
    leavers = llama[llama["departed"]].assign(tenure_min_years=tenure["tenure_min_years"], stated=tenure["stated"])
    known = leavers[leavers["joined"] != ""]
    assert len(known) == 11
    assert int(known["joined_start"].notna().sum()) == 1  # only Izacard's join has an earliest day
    assert int(known["stated"].sum()) == 7
    assert known["tenure_min_years"].mean() == pytest.approx(4.93, abs=0.01)
    over_five = set(known.loc[known["tenure_min_years"] > 5, "author"])
    assert over_five == {"Timothée Lacroix", "Armand Joulin", "Edouard Grave", "Guillaume Lample", "Naman Goyal"}


def test_every_row_cites_a_public_source(llama):
    assert llama["source"].str.contains("https://arxiv.org/abs/2302.13971").all()
    leavers = llama[llama["departed"]]
    assert leavers["source"].str.contains("businessinsider.com").all()


TRANSFORMER = "Attention Is All You Need (2017)"


@pytest.fixture(scope="module")
def transformer():
    cohort = load_cohort(SHIPPED)
    return cohort[cohort["paper"] == TRANSFORMER].reset_index(drop=True)


def test_transformer_eight_authors_all_left_google(transformer):
    from analysis import metrics as m

    assert transformer["author"].tolist() == [
        "Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones", "Aidan N. Gomez",
        "Łukasz Kaiser", "Illia Polosukhin",
    ]
    assert (transformer["origin_org"] == "Google").all() and transformer["departed"].all()
    # "all eight no longer work at Google": Gomez left by 2023-04-17 (NewsBytes), Jones by 2023-08-17
    august_2023 = m.retention(transformer, pd.Timestamp("2023-08-31")).iloc[0]
    assert (august_2023.departed, august_2023.possibly_departed, august_2023.remaining) == (8, 0, 0)


def test_transformer_shazeer_returned(transformer):
    from analysis import metrics as m

    shazeer = transformer.set_index("author").loc["Noam Shazeer"]
    assert (shazeer["left"], shazeer["returned"]) == ("2021-10", "2024-08-02/2024-08-23")
    r = m.retention(transformer, m.default_as_of(transformer)).iloc[0]
    assert (r.authors, r.departed, r.returned, r.remaining) == (8, 7, 1, 1)
    before = m.retention(transformer, pd.Timestamp("2024-08-01")).iloc[0]
    assert (before.departed, before.possibly_departed, before.returned, before.remaining) == (8, 0, 0, 0)
    rejoining = m.retention(transformer, pd.Timestamp("2024-08-10")).iloc[0]  # back between 08-02 and 08-23
    assert (rejoining.departed, rejoining.returned, rejoining.remaining) == (8, 0, 0)


def test_transformer_first_and_last_to_leave(transformer):
    dated = transformer[transformer["left_kind"] != "interval"].sort_values("left_start")
    assert dated["author"].iloc[0] == "Illia Polosukhin"
    assert transformer.loc[transformer["left_start"].idxmax(), "author"] == "Llion Jones"


class TestTimeTravel:
    """--as-of in the past reproduces what the report would have said then."""

    def test_llama_mid_2023(self, llama):
        from analysis import metrics as m

        h = m.headline(llama, pd.Timestamp("2023-06-30")).iloc[0]
        # certain by 2023-06-30: Izacard (Apr), Joulin (May), Lavril, Lachaux (June), Lacroix (by 06-14),
        # Lample (by 06-13); Grave (to 2023-11-17) and Goyal, Hambro, Rodriguez (to 2025-05-26) only possible
        assert (h.departed, h.possibly_departed, h.remaining) == (6, 4, 4)
        assert (h.top_destination, h.top_destination_authors, h.founders) == ("Mistral AI", 4, 2)

    def test_llama_mid_2024(self, llama):
        from analysis import metrics as m

        h = m.headline(llama, pd.Timestamp("2024-06-30")).iloc[0]
        # + Grave (Kyutai, by 2023-11-17); Rozière (2024-08) not yet
        assert (h.departed, h.possibly_departed, h.remaining) == (7, 3, 4)
        assert h.destinations == 4  # Mistral AI, Microsoft AI, Google DeepMind, Kyutai
