"""The rules build_vocabulary uses to keep ordinary words out of the skills vocabulary (pure functions)."""

from resumes.management.commands.build_vocabulary import esco_alternative_kept, is_ordinary_word, singular_too

LOWER_SHARE = {"lead": 0.48, "sql": 0.002, "design": 0.9, "troubleshooting": 0.8, "stats": 0.7, "pbx": 0.0}
OCCUPATIONS = singular_too({"art", "directors", "designers", "bookkeeping", "glass"})


def test_occupation_words_are_known_in_the_singular_too():
    assert {"director", "designer", "directors", "bookkeeping", "glass"} <= OCCUPATIONS
    assert "glas" not in OCCUPATIONS and "bookkeeping"[:-1] not in OCCUPATIONS


def test_a_word_is_ordinary_when_postings_write_it_in_lower_case_or_it_names_occupations():
    assert is_ordinary_word("LEAD", LOWER_SHARE, OCCUPATIONS)  # "lead" is mostly written in lower case
    assert is_ordinary_word("Director", LOWER_SHARE, OCCUPATIONS)  # capitalised in postings, but an occupation
    assert not is_ordinary_word("SQL", LOWER_SHARE, OCCUPATIONS)
    assert not is_ordinary_word("Wunderlist", LOWER_SHARE, OCCUPATIONS)  # never seen: a name, not a word


def test_esco_one_word_alternatives_that_are_ordinary_words_stand_only_for_their_own_skill():
    assert not esco_alternative_kept("design", "think creatively", LOWER_SHARE, OCCUPATIONS)
    assert not esco_alternative_kept("lead", "lead others", LOWER_SHARE, OCCUPATIONS)
    assert esco_alternative_kept("troubleshooting", "troubleshoot", LOWER_SHARE, OCCUPATIONS)
    assert esco_alternative_kept("stats", "statistics", LOWER_SHARE, OCCUPATIONS)
    assert esco_alternative_kept("PBX", "operate private branch exchange", LOWER_SHARE, OCCUPATIONS)
    assert esco_alternative_kept("graphic design", "think creatively", LOWER_SHARE, OCCUPATIONS)
