from __future__ import annotations

from indexer.core.text import analyse, fold
from indexer.search.keyword import TermMatcher, match_expression, matches, matches_any


def test_folding_removes_accents_umlauts_and_eszett() -> None:
    assert fold("Santé") == "sante"
    assert fold("Übergänge") == "ubergange"
    assert fold("Straße") == "strasse"


def test_stemming_and_folding_make_inflections_meet() -> None:
    assert analyse("santé", "fr") == analyse("sante", "fr")
    assert analyse("Wohnungen", "de") == analyse("Wohnung", "de")
    assert analyse("intégrations", "fr") == analyse("intégration", "fr")


def test_derivations_meet_by_prefix() -> None:
    _, word_forms = match_expression("Integration", ["fr", "de", "en"])
    assert matches(word_forms[0], analyse("integrierten", "de"))
    assert not matches(word_forms[0], analyse("Interesse", "de"))


def test_query_forms_cover_every_language_and_never_inject_syntax() -> None:
    expression, word_forms = match_expression('Wohnungen AND "santé" NEAR(x', ["fr", "de"])
    assert '"wohnung"' in expression and '"sant"' in expression
    assert all(part.startswith('"') and part.rstrip("*").endswith('"') for part in expression.split(" OR "))
    assert len(word_forms) == 4  # wohnungen, santé, near, x ("AND" is an English stopword)


def test_stopwords_are_dropped_unless_nothing_else_is_left() -> None:
    _, word_forms = match_expression("les enfants de la rue", ["fr"])
    assert len(word_forms) == 2  # enfants, rue
    _, word_forms = match_expression("the", ["en"])
    assert len(word_forms) == 1


def test_term_matcher_agrees_with_matches_for_every_query_word() -> None:
    _, word_forms = match_expression("Integration santé Wohnungen", ["fr", "de", "en"])
    matcher = TermMatcher(word_forms)
    terms: list[str] = []
    for text, language in [("integrierten", "de"), ("Interesse", "de"), ("la santé mentale", "fr"),
                           ("Wohnung", "de"), ("housing", "en")]:
        for term_ in analyse(text, language).split():
            assert matcher(term_) == any(matches(forms, term_) for forms in word_forms), term_
            terms.append(term_)
    assert matcher.select(terms) == {t for t in terms if matcher(t)} and matcher.select(terms)
    assert matcher(analyse("integrierten", "de"))
    assert not matcher(analyse("Interesse", "de"))
    short = TermMatcher([frozenset({"ab"})])  # too short for a prefix: exact forms only
    assert not short("abc") and short.select(["ab", "abc"]) == {"ab"}


def test_matches_any_agrees_with_matches_over_a_set_of_terms() -> None:
    _, word_forms = match_expression("Integration santé Wohnungen", ["fr", "de", "en"])
    for text, language in [("die integrierten Kinder", "de"), ("Interesse", "de"), ("la santé mentale", "fr"),
                           ("Wohnung", "de"), ("housing", "en"), ("", "en")]:
        terms = set(analyse(text, language).split())
        for forms in word_forms:
            assert matches_any(forms, terms) == any(matches(forms, t) for t in terms), (forms, text)
    assert matches_any(word_forms[0], {"integriert"}) and not matches_any(word_forms[0], {"interess"})
