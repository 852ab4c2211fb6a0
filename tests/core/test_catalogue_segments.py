"""Segments numbered by the stated rule, named from their profiles, and offered products from the editable
catalogue file: on small fixtures built here (k = 3, 4, 5), and the UCI texts reproduced from the full build."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.segmentation import number_segments, numbering_rule
from dashapp.core import catalogue, domain
from dashapp.core.catalogue import ProductCatalogueError, SegmentProfile, describe_segments, read_product_catalogue
from dashapp.core.settings import PROJECT_ROOT, get_settings

JOBS = domain.known_categories("job")


def _keys(groups: list[tuple[int, int, list[str], str, str]]) -> tuple[pd.DataFrame, np.ndarray]:
    """Clients of groups ``(label, clients per job, jobs, housing, loan)``."""
    rows, labels = [], []
    for label, each, jobs, housing, loan in groups:
        for job in jobs:
            rows += [{"job": job, "housing": housing, "loan": loan}] * each
            labels += [label] * each
    return pd.DataFrame(rows), np.array(labels)


# --- Numbering ---------------------------------------------------------------------------------------------


def test_segment_1_is_the_one_without_a_personal_loan_whose_jobs_come_first():
    keys, labels = _keys([(0, 5, ["services", "student"], "no", "no"), (1, 5, list(JOBS), "yes", "no"),
                          (2, 5, ["admin."], "no", "yes")])
    assert number_segments(labels, keys) == {1: 1, 2: 2, 0: 3}
    # The same clients, but the no-loan segment's jobs come earlier than the housing-loan segment's.
    keys, labels = _keys([(0, 5, ["admin.", "services"], "no", "no"), (1, 5, list(JOBS), "yes", "no"),
                          (2, 5, ["admin."], "no", "yes")])
    assert number_segments(labels, keys) == {0: 1, 2: 2, 1: 3}


def test_four_segments_get_the_original_studys_numbers():
    keys, labels = _keys([(0, 5, list(JOBS), "no", "no"), (1, 5, list(JOBS[:5]), "yes", "no"),
                          (2, 5, list(JOBS[5:]), "yes", "no"), (3, 5, list(JOBS), "yes", "yes")])
    assert number_segments(labels, keys) == {1: 1, 3: 2, 0: 3, 2: 4}


def test_the_stability_studys_alternative_keeps_its_numbers():
    """Two no-loan clusters cut by job and one housing-loan cluster: 1 is the no-loan one whose jobs come
    first, then the personal loans, the other no-loan cluster, the housing loans (as the earlier rule gave)."""
    keys, labels = _keys([(0, 5, list(JOBS), "yes", "no"), (1, 5, list(JOBS[5:]), "no", "no"),
                          (2, 5, list(JOBS), "no", "yes"), (3, 5, list(JOBS[:5]), "no", "no")])
    assert number_segments(labels, keys) == {3: 1, 2: 2, 1: 3, 0: 4}


def test_five_segments_order_kinds_then_jobs_then_size():
    keys, labels = _keys([
        (0, 5, ["technician", "unemployed"], "yes", "no"),  # housing loan, later jobs -> last
        (1, 5, ["admin.", "blue-collar"], "yes", "no"),     # housing loan, first jobs -> 1
        (2, 3, ["services"], "no", "yes"),                  # personal loan, same jobs as 3 but smaller -> 3
        (3, 6, ["services"], "yes", "yes"),                 # personal loan, larger -> 2
        (4, 5, list(JOBS), "no", "no"),                     # neither -> 4
    ])
    assert number_segments(labels, keys) == {1: 1, 3: 2, 2: 3, 4: 4, 0: 5}


def test_a_kind_is_what_most_members_share():
    assert domain.segment_kind(0.9, 0.6) == "personal_loan"
    assert domain.segment_kind(0.6, 0.5) == "housing_loan"
    assert domain.segment_kind(0.5, 0.5) == "neither"


def test_the_rule_is_one_sentence_the_pages_can_show():
    rule = numbering_rule()
    assert rule.endswith(".") and rule.count(". ") == 0
    for words in ("segment 1", "personal-loan", "neither loan", "housing-loan", "alphabetical"):
        assert words in rule


# --- Names and descriptions -------------------------------------------------------------------------------


def _profile(number, housing, personal, jobs, each=10) -> SegmentProfile:
    return SegmentProfile(number, each * len(jobs), housing, personal, {job: each for job in jobs})


def test_three_segments_are_named_by_their_kind():
    described = describe_segments([_profile(1, 1.0, 0.0, JOBS), _profile(2, 0.4, 1.0, JOBS[:4]),
                                   _profile(3, 0.0, 0.0, ("admin.", "services"))])
    assert described == {
        1: ("Housing loan", "Clients with a housing loan and no personal loan, across all jobs."),
        2: ("Personal-loan holders", "Clients with a personal loan (with or without a housing loan), most of "
                                     "them admin. or blue-collar."),
        3: ("No loans", "Clients with neither a housing nor a personal loan; open to any product."),
    }


def test_segments_of_one_kind_are_told_apart_by_their_job_range():
    described = describe_segments([_profile(1, 1.0, 0.0, JOBS[:3]), _profile(2, 0.0, 1.0, JOBS),
                                   _profile(3, 0.0, 0.0, JOBS), _profile(4, 1.0, 0.0, JOBS[3:8]),
                                   _profile(5, 1.0, 0.0, JOBS[8:])])
    assert [described[n][0] for n in (1, 4, 5)] == [
        "Housing loan (jobs administrative to entrepreneur)", "Housing loan (jobs housemaid to services)",
        "Housing loan (jobs student to unemployed)"]
    assert described[4][1] == (
        "Clients with a housing loan and no personal loan whose job comes in the middle in the alphabet: "
        "housemaid, management, retired, self-employed or services. What parts them from segments 1 and 5 is "
        "that alphabetical cut, not a kind of work.")
    assert described[3] == ("No loans", "Clients with neither a housing nor a personal loan; open to any "
                                        "product, including students and retirees.")


def test_segments_of_one_kind_without_a_job_cut_are_told_apart_by_their_dominant_jobs():
    first = SegmentProfile(2, 100, 1.0, 1.0, {"services": 60, "admin.": 40})
    second = SegmentProfile(3, 100, 0.0, 1.0, {"services": 20, "technician": 45, "student": 35})
    described = describe_segments([first, second])
    assert described[2] == ("Personal-loan holders (mostly services)",
                            "Clients with a personal loan and a housing loan, most of them services.")
    assert described[3] == ("Personal-loan holders (mostly technician and student)",
                            "Clients with a personal loan and no housing loan, most of them technician or student.")


# --- The UCI file, as the full build holds it -------------------------------------------------------------

#: Today's texts (the catalogue's hand-written table before they were generated), word for word.
UCI_SEGMENTS = {
    1: ("Housing loan (jobs administrative to management)",
        "Clients with a housing loan and no personal loan whose job comes first in the alphabet: admin., "
        "blue-collar, entrepreneur, housemaid or management. What parts them from segment 4 is that "
        "alphabetical cut, not a kind of work.",
        ("Mortgage protection insurance", "Home and contents insurance", "Refinancing offers at renewal"),
        "#1f77b4",
        "A housing loan is unlikely to interest them; offer an ordinary loan in line with the credit-scoring model."),
    2: ("Personal-loan holders",
        "Clients with a personal loan (with or without a housing loan), across all jobs.",
        ("Debt consolidation loan", "Payment-protection insurance", "Budgeting and credit advice"),
        "#d62728",
        "Buy-out of their loans or a new loan, in line with the credit-scoring model."),
    3: ("No loans",
        "Clients with neither a housing nor a personal loan; open to any product, including students and "
        "retirees.",
        ("Savings and term deposits", "Investment funds", "Student programme (first account, study loan)",
         "Retiree programme (pension savings, annuities)"),
        "#2ca02c",
        "Any product."),
    4: ("Housing loan (jobs retired to unemployed)",
        "Clients with a housing loan and no personal loan whose job comes last in the alphabet: retired, "
        "self-employed, services, student, technician or unemployed. What parts them from segment 1 is that "
        "alphabetical cut, not a kind of work.",
        ("Mortgage protection insurance", "Home and contents insurance", "Refinancing offers at renewal"),
        "#ff7f0e",
        "A housing loan is unlikely to interest them; offer an ordinary loan in line with the credit-scoring model."),
}


def test_the_uci_segments_read_as_today(full_store, monkeypatch):
    monkeypatch.delenv("BANK_PRODUCT_CATALOGUE", raising=False)
    get_settings.cache_clear()
    try:
        segments = catalogue.segments(full_store)
    finally:
        get_settings.cache_clear()
    assert full_store.segment_numbers == (1, 2, 3, 4) and full_store.final_k == 4
    assert {n: (s.name, s.description, s.products, s.colour, s.original_recommendation)
            for n, s in segments.items()} == UCI_SEGMENTS


def test_the_uci_numbers_follow_the_rule(full_store):
    """The full build's K-means labels, numbered again by today's rule, give the published segments."""
    model = full_store.segmentation_model
    train = full_store.clients[full_store.clients["split"] == "train"]
    keys = pd.DataFrame({field: train[f"{field}_imputed"].astype(str).to_numpy()
                         for field in domain.SEGMENT_FEATURES})
    numbers = number_segments(model.kmeans.labels_, keys)
    assert numbers == {int(label): segment for label, segment in model.segment_of_label.items()}
    assert (np.vectorize(numbers.get)(model.kmeans.labels_) == train["segment"].to_numpy()).all()


# --- The product catalogue file ------------------------------------------------------------------------------


def _catalogue_text(**overrides: str) -> str:
    tables = {"housing_loan": 'products = ["Mortgage"]\noriginal_recommendation = "A loan."',
              "personal_loan": 'products = ["Consolidation"]\noriginal_recommendation = "Buy-out."',
              "neither": 'products = ["Deposits", "Funds"]\noriginal_recommendation = "Any product."'}
    tables.update(overrides)
    return "\n".join(f"[{kind}]\n{body}\n" for kind, body in tables.items())


def test_the_shipped_catalogue_holds_every_kind():
    shipped = read_product_catalogue(PROJECT_ROOT / "dashapp" / "product_catalogue.toml")
    assert list(shipped) == list(domain.SEGMENT_KINDS)
    assert shipped["neither"].original_recommendation == "Any product."


def test_an_edited_catalogue_gives_new_products_without_a_rebuild(full_store, tmp_path, monkeypatch):
    path = tmp_path / "products.toml"
    path.write_text(_catalogue_text())
    monkeypatch.setenv("BANK_PRODUCT_CATALOGUE", str(path))
    get_settings.cache_clear()
    try:
        assert catalogue.segments(full_store)[3].products == ("Deposits", "Funds")
        path.write_text(_catalogue_text(neither='products = ["Pension plan", "Green bonds", "A third one"]\n'
                                                'original_recommendation = "Anything at all."'))
        edited = catalogue.segments(full_store)[3]
        assert edited.products == ("Pension plan", "Green bonds", "A third one")
        assert edited.original_recommendation == "Anything at all."
        assert catalogue.segments(full_store)[1].products == ("Mortgage",)
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("text, named", [
    (_catalogue_text(neither='products = "Deposits"\noriginal_recommendation = "Any."'), "[neither] products"),
    (_catalogue_text(personal_loan='products = ["A"]'), "[personal_loan] original_recommendation"),
    (_catalogue_text(housing_loan='products = []\noriginal_recommendation = "A."'), "[housing_loan] products"),
    (_catalogue_text(neither='products = ["A"]\noriginal_recommendation = "B."\nprice = 3'),
     "[neither] has the unknown key 'price'"),
    (_catalogue_text() + "\n[pensioners]\nproducts = []\n", "unknown kind [pensioners]"),
    ('[housing_loan]\nproducts = ["A"]\noriginal_recommendation = "B."\n', "[personal_loan] is missing"),
    ("[housing_loan\nproducts = 1", "not valid TOML"),
])
def test_a_malformed_catalogue_is_refused_naming_the_file_and_the_key(tmp_path, text, named):
    path = tmp_path / "products.toml"
    path.write_text(text)
    with pytest.raises(ProductCatalogueError) as error:
        read_product_catalogue(path)
    assert str(path) in str(error.value) and named in str(error.value)


def test_a_missing_catalogue_is_refused_naming_the_file(tmp_path):
    with pytest.raises(ProductCatalogueError, match="cannot be read") as error:
        read_product_catalogue(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(error.value)


def test_colours_follow_the_segment_number():
    assert [catalogue.segment_colour(n) for n in (1, 2, 3, 4)] == ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]
    assert len({catalogue.segment_colour(n) for n in range(1, 16)}) == 15


def test_the_k_sentence_says_who_chose_k():
    assert catalogue.k_choice_sentence(4) == ("k = 4, the original study's choice, set as a build parameter "
                                              "(the default of `--k`).")
    assert catalogue.k_choice_sentence(5) == "k = 5, set for this build by `--k 5` (the original study chose 4)."


def test_the_api_answers_503_and_logs_the_file_when_the_catalogue_is_broken(client, tmp_path, monkeypatch, caplog):
    path = tmp_path / "products.toml"
    path.write_text(_catalogue_text(neither='products = ["A"]'))
    monkeypatch.setenv("BANK_PRODUCT_CATALOGUE", str(path))
    get_settings.cache_clear()
    try:
        response = client.get("/api/v1/segments")
        scored = client.post("/api/v1/score", json={"job": "admin.", "housing": "yes", "loan": "no"})
    finally:
        get_settings.cache_clear()
    assert response.status_code == 503 and scored.status_code == 503
    assert f"{path}: [neither] original_recommendation" in caplog.text
