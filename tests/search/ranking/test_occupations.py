"""Occupation placements on plain vectors: centroids, calibrated temperature, agreement at each level of
O*NET-SOC, titles named exactly, job families."""

from __future__ import annotations

import numpy as np
import pytest

from search.ranking.occupations import (
    AGREEMENT_LEVELS,
    OccupationModel,
    agreements,
    family,
    level_masses,
    prefix_mass,
    with_named,
)

CODES = ["29-1141.00", "29-1171.00", "35-1011.00", "35-2014.00"]  # nurse, nurse practitioner, chef, cook


def _titles(seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Eight noisy titles per occupation around four directions (the first two close: both nurses)."""
    rng = np.random.default_rng(seed)
    centres = np.eye(6)[:4] + np.asarray([[0, 0, 0, 0, 0.0, 0], [0.7, 0, 0, 0, 0, 0], [0] * 6, [0, 0, 0.6, 0, 0, 0]])
    X, y = [], []
    for code, c in zip(CODES, centres, strict=True):
        for _ in range(8):
            v = c + rng.normal(0, 0.15, 6)
            X.append(v / np.linalg.norm(v))
            y.append(code)
    return np.asarray(X), y


def test_a_title_is_placed_in_its_occupation_with_probabilities_that_sum_to_one():
    X, y = _titles()
    held, held_y = _titles(seed=1)
    model = OccupationModel().fit(X, y, held, held_y)
    p = model.predict_proba(held)
    assert p.shape == (len(held), 4) and np.allclose(p.sum(axis=1), 1)
    assert (model.classes_[p.argmax(axis=1)] == np.asarray(held_y)).mean() >= 0.9
    assert model.temperature_ in model.temperatures  # chosen by log loss on the held-out titles
    placement = model.place(held[:1])[0]
    assert next(iter(placement)) == "29-1141.00" and sum(placement.values()) == pytest.approx(1, abs=1e-3)


def agreement(a: dict[str, float], b: dict[str, float], length: int) -> float:
    return agreements(level_masses(a), level_masses(b))[AGREEMENT_LEVELS.index(length)]


def test_agreement_counts_the_same_occupation_group_and_family():
    nurse = {"29-1141.00": 0.9, "29-1171.00": 0.1}
    practitioner = {"29-1171.00": 1.0}
    chef = {"35-1011.00": 0.8, "35-2014.00": 0.2}
    assert agreement(nurse, nurse, 10) == pytest.approx(0.82)
    assert agreement(nurse, practitioner, 10) == pytest.approx(0.1)
    assert agreement(nurse, practitioner, 2) == pytest.approx(1.0)  # the same family: healthcare practitioners
    assert agreement(nurse, chef, 2) == 0.0 and agreement({}, chef, 2) == 0.0
    assert prefix_mass(chef, 2) == {"35": pytest.approx(1.0)}
    assert family(chef) == ("35", pytest.approx(1.0)) and family({}) == ("", 0.0)


def test_titles_named_exactly_take_half_the_mass_the_first_most():
    placed = {"35-2014.00": 1.0}
    mixed = with_named(placed, ["35-1011.00", "35-1011.00", "35-2021.00"])
    assert mixed["35-1011.00"] == pytest.approx(0.5 * 0.5 / 0.8)  # the first of two named (recency 0.5, 0.3)
    assert mixed["35-2014.00"] == pytest.approx(0.5)
    assert sum(mixed.values()) == pytest.approx(1.0, abs=1e-4)
    assert with_named(placed, [""]) == placed
