"""Function words of French, German, English and Luxembourgish: words that carry no topic of their own.

One list for three uses: they are dropped from keyword queries (in a small corpus their IDF is not low enough
to keep "les" or "der" from counting as lexical evidence), never highlighted, and a query made only of them
(or of single letters) cannot mean anything and is refused. Folded forms (:func:`indexer.core.text.fold`).
"""

from __future__ import annotations

from indexer.core.text import fold, words

# As they are spelled (lower case, accents kept): folding first would turn content words into function words
# ("sûr" into "sur", "été" the summer into a participle).
FUNCTION_WORDS = frozenset("""
a à au aux avec ce ces cet cette d dans de des du elle elles en est et être il ils je j l la le les leur leurs
lui m mais me même mes moi mon n ne nos notre nous on ou où par pas pour qu que qui s sa se ses son sur t ta te
tes toi ton tu un une vos votre vous y comment quel quelle quels quelles quoi dont sont ont fait
c ça ceci cela celui celle ceux chez donc ni or car si sans sous vers entre très plus moins aussi
aber als am an auch auf aus bei bin bis das dass dem den der des die dies diese dieser dieses dir du ein
eine einem einen einer eines er es für hat hatte ich ihr ihre im in ist ja mit nach nicht noch nur oder
sein seine sich sie sind so über um und uns von vor war was wer wie wir wird wo zu zum zur welche welcher
welches wann mich mein meine dich dein kein keine man wenn weil ob
the of and to in is was for on are as with by at be this that from or an it its which who what when
where how why were has have had do does did not but their they them there these those can cannot will would
i me my we our you your he him his she her us am been being if so than then into about
dat d e een eng enger engem en fir mat net op si sinn vun wat wéi wou ze ass huet hunn mir ech mech
mer du dir hien hatt se sech och awer oder ee eent kee keng keen dee deen déi des dës dësen dem
all alles wann well ob hei do elo nach schonn ganz vill
""".split())
# Their forms without accents, for a word typed without any ("etre", "uber"): a word written with accents is
# a function word only as spelled.
_UNACCENTED = frozenset(map(fold, FUNCTION_WORDS))


def is_function_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in FUNCTION_WORDS or (lowered == fold(lowered) and lowered in _UNACCENTED)


def content_words(query: str) -> list[str]:
    """The words of ``query`` that can carry a topic: not function words, not single letters.

    A number counts ("2025", "5"): years and article numbers are what people look for.
    """
    return [w for w in words(query) if (len(w) > 1 or w.isdigit()) and not is_function_word(w)]
