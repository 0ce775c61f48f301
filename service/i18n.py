"""The web page's words, in the three interface languages: French, German and English.

Only the interface is translated; the documents, their titles and passages stay in their own language.
Every language has every key (a test checks it). Strings are :meth:`str.format` templates.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("fr", "de", "en")
DEFAULT_LANGUAGE = "fr"  # Luxembourg's administrative language, when the browser names none of the three

# How each interface language names itself, for the switcher.
NATIVE_NAMES = {"fr": "Français", "de": "Deutsch", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "facet.by": "Auteur·e",
        "facet.supervisor": "Direction",
        "facet.keyword": "Mot-clé",
        "sort.label": "Trier :",
        "sort.relevance": "par pertinence",
        "sort.newest": "les plus récents d'abord",
        "sort.oldest": "les plus anciens d'abord",
        "browse.count.one": "{n} document",
        "browse.count.many": "{n} documents",
        "browse.by": "Documents de {name}",
        "browse.coauthors": "Co-auteur·es :",
        "start.browse": "Parcourir les documents",
        "start.editions": "Les éditions",
        "start.types": "Par type",
        "start.prizes": "Mémoires primés récents",
        "start.documents": "{n} documents",
        "site.tagline": "Recherche dans les documents de la Journée du secteur social, dans toutes les langues",
        "skip.results": "Aller aux résultats",
        "skip.content": "Aller au contenu",
        "switcher.label": "Langue de l'interface",
        "search.label": "Rechercher dans les documents",
        "search.placeholder": "p. ex. aider les enfants immigrés à l'école",
        "search.button": "Rechercher",
        "search.hint": "Posez votre question en français, allemand, anglais ou luxembourgeois : les documents "
                       "sont trouvés dans toutes les langues.",
        "search.searching": "Recherche en cours…",
        "empty.title": "Que cherchez-vous ?",
        "empty.text": "Tapez une question ou quelques mots. Les résultats s'affichent pendant la saisie ; "
                      "appuyez sur Entrée pour lancer la recherche.",
        "empty.examples": "Exemples :",
        "empty.count": "{documents} documents indexés.",
        "nomatch.title": "Aucun document ne correspond vraiment à votre question",
        "nomatch.text": "Rien dans les documents ne traite vraiment de « {q} ». Reformulez avec d'autres mots, "
                        "ou regardez les documents les plus proches ci-dessous.",
        "nomatch.facets": "Aucun document ne correspond : pas de comptes par filtre.",
        "results.nearest": "Documents les plus proches",
        "results.nearest.note": "Ils ne correspondent pas vraiment à la question, mais en sont les plus proches.",
        "results.related": "Autres documents proches",
        "results.count.match.one": "{n} document correspond",
        "results.count.match.many": "{n} documents correspondent",
        "why.words": "Contient : {words}",
        "why.meaning": "Trouvé par le sens",
        "why.meaning.language": "Trouvé par le sens (document en {language})",
        "error.no_content": "Votre recherche ne contient aucun mot qui ait un sens à lui seul (une lettre, ou "
                            "des mots comme « le », « der », « the »). Ajoutez un mot sur ce que vous cherchez.",
        "noresult.title": "Aucun résultat",
        "noresult.text": "Aucun résultat — essayez avec moins de mots ou dans une autre langue.",
        "noresult.filters": "Des filtres sont actifs : retirez-les pour chercher dans tous les documents.",
        "error.title": "La recherche n'a pas pu être faite",
        "error.too_long": "Votre recherche est trop longue ({length} caractères). Raccourcissez-la à "
                          "{max} caractères au plus : quelques mots-clés suffisent.",
        "error.filter": "Ce filtre n'existe pas dans l'index ({detail}). Retirez les filtres et relancez la "
                        "recherche.",
        "error.year": "L'année « {value} » n'est pas une année valable. Retirez ce filtre.",
        "error.invalid": "Cette recherche n'a pas pu être faite ({detail}). Modifiez-la et réessayez.",
        "error.unavailable": "La recherche est momentanément indisponible. Réessayez dans un instant.",
        "error.network": "Les résultats n'ont pas pu être chargés. Vérifiez votre connexion ou appuyez sur "
                         "Entrée pour réessayer.",
        "notfound.title": "Document introuvable",
        "notfound.text": "Ce document n'est pas (ou plus) dans l'index : il a peut-être été retiré ou "
                         "réindexé. Cherchez-le plutôt par son titre ou son sujet.",
        "back.search": "Retour à la recherche",
        "back.home": "Aller à la recherche",
        "results.heading": "Résultats",
        "results.count.one": "{n} document trouvé",
        "results.count.many": "{n} documents trouvés",
        "results.for": "pour « {q} »",
        "results.more": "Afficher plus de résultats",
        "facets.heading": "Affiner",
        "facets.active": "Filtres actifs :",
        "facets.clear": "Retirer tous les filtres",
        "facets.remove": "Retirer le filtre",
        "facets.selected": "sélectionné ; cliquer pour retirer",
        "facets.documents": "documents",
        "facet.edition": "Édition",
        "facet.type": "Type",
        "facet.language": "Langue",
        "facet.year": "Année",
        "facet.year_from": "Depuis",
        "facet.year_to": "Jusqu'à",
        "facet.author": "Auteur·e",
        "result.page": "page {page}",
        "result.slide": "diapositive {page}",
        "result.open_page": "Ouvrir le fichier à la page {page}",
        "result.open_file": "Ouvrir le fichier",
        "result.document": "Fiche du document",
        "result.similar": "Documents similaires",
        "result.whole": "Voir tout le passage",
        "result.also": "Aussi :",
        "result.by": "de {authors}",
        "meta.authors": "Auteur·es",
        "meta.year": "Année",
        "meta.edition": "Édition",
        "meta.type": "Type",
        "meta.language": "Langue",
        "meta.pages": "Pages",
        "meta.format": "Format",
        "meta.supervisor": "Direction du mémoire",
        "meta.programme": "Formation",
        "meta.prize": "Prix",
        "meta.keywords": "Mots-clés",
        "meta.file": "Fichier",
        "doc.metadata": "Description",
        "doc.passages": "Texte, page par page",
        "doc.passages.note": "Le texte extrait du fichier, passage par passage, tel que la recherche le lit.",
        "doc.text": "Texte",
        "doc.text.note": "Le document tel qu'il a été écrit, mis en forme pour la lecture.",
        "doc.page": "Page {page}",
        "doc.slide": "Diapositive {page}",
        "doc.open": "Ouvrir le fichier original",
        "doc.related": "Documents proches",
        "doc.related.note": "Documents au contenu proche, dans toutes les langues.",
        "doc.no_related": "Aucun document proche trouvé.",
        "doc.no_text": "Aucun texte n'a été extrait de ce document.",
        "footer.about": "Passerelle — recherche sémantique pour le secteur social au Luxembourg.",
        "footer.api": "Documentation de l'API",
        "unknown": "inconnu",
        "type.thesis": "mémoire",
        "type.talk": "conférence",
        "type.slides": "présentation",
        "type.programme": "programme",
        "type.report": "rapport",
        "type.article": "article",
        "type.document": "document",
        "language.fr": "français",
        "language.de": "allemand",
        "language.en": "anglais",
        "language.lb": "luxembourgeois",
        "language.pt": "portugais",
        "language.it": "italien",
        "language.es": "espagnol",
        "language.nl": "néerlandais",
        "language.ar": "arabe",
        # Citing a document (its page's "Cite" section, and the link to it from each result).
        "cite.title": "Citer ce document",
        "cite.note": "Référence établie d'après le catalogue : vérifiez-la avant de l'utiliser.",
        "cite.apa": "APA (7e édition)",
        "cite.bibtex": "BibTeX",
        "cite.copy": "Copier",
        "cite.copied": "Copié",
        "cite.copy_failed": "Copie impossible : le texte est sélectionné, copiez-le avec Ctrl+C.",
        "cite.download": "Télécharger pour un gestionnaire de références :",
        "cite.format.bibtex": "BibTeX (.bib)",
        "cite.format.ris": "RIS (.ris) — Zotero, EndNote, Citavi",
        "cite.format.csl_json": "CSL-JSON (.json) — Zotero, Pandoc",
        "result.cite": "Citer",
    },
    "de": {
        "facet.by": "Autor·in",
        "facet.supervisor": "Betreuung",
        "facet.keyword": "Schlagwort",
        "sort.label": "Sortieren:",
        "sort.relevance": "nach Relevanz",
        "sort.newest": "neueste zuerst",
        "sort.oldest": "älteste zuerst",
        "browse.count.one": "{n} Dokument",
        "browse.count.many": "{n} Dokumente",
        "browse.by": "Dokumente von {name}",
        "browse.coauthors": "Mitautor·innen:",
        "start.browse": "Dokumente durchsehen",
        "start.editions": "Die Ausgaben",
        "start.types": "Nach Art",
        "start.prizes": "Neueste ausgezeichnete Abschlussarbeiten",
        "start.documents": "{n} Dokumente",
        "site.tagline": "Suche in den Unterlagen des Tages des Sozialsektors, in allen Sprachen",
        "skip.results": "Zu den Ergebnissen springen",
        "skip.content": "Zum Inhalt springen",
        "switcher.label": "Sprache der Oberfläche",
        "search.label": "In den Dokumenten suchen",
        "search.placeholder": "z. B. eingewanderten Kindern in der Schule helfen",
        "search.button": "Suchen",
        "search.hint": "Fragen Sie auf Französisch, Deutsch, Englisch oder Luxemburgisch: Dokumente in allen "
                       "Sprachen werden gefunden.",
        "search.searching": "Suche läuft…",
        "empty.title": "Wonach suchen Sie?",
        "empty.text": "Geben Sie eine Frage oder ein paar Wörter ein. Die Ergebnisse erscheinen schon beim "
                      "Tippen; mit der Eingabetaste starten Sie die Suche.",
        "empty.examples": "Beispiele:",
        "empty.count": "{documents} Dokumente im Index.",
        "nomatch.title": "Kein Dokument passt wirklich zu Ihrer Frage",
        "nomatch.text": "Keines der Dokumente behandelt wirklich „{q}“. Versuchen Sie es mit anderen Wörtern, "
                        "oder sehen Sie sich unten die nächstliegenden Dokumente an.",
        "nomatch.facets": "Kein Dokument passt: keine Zahlen pro Filter.",
        "results.nearest": "Die nächstliegenden Dokumente",
        "results.nearest.note": "Sie passen nicht wirklich zur Frage, kommen ihr aber am nächsten.",
        "results.related": "Weitere verwandte Dokumente",
        "results.count.match.one": "{n} passendes Dokument",
        "results.count.match.many": "{n} passende Dokumente",
        "why.words": "Enthält: {words}",
        "why.meaning": "Über die Bedeutung gefunden",
        "why.meaning.language": "Über die Bedeutung gefunden (Dokument auf {language})",
        "error.no_content": "Ihre Suche enthält kein Wort, das allein eine Bedeutung trägt (ein Buchstabe oder "
                            "Wörter wie „der“, „le“, „the“). Fügen Sie ein Wort zu dem hinzu, was Sie suchen.",
        "noresult.title": "Kein Ergebnis",
        "noresult.text": "Kein Ergebnis — versuchen Sie es mit weniger Wörtern oder in einer anderen Sprache.",
        "noresult.filters": "Filter sind aktiv: Entfernen Sie sie, um in allen Dokumenten zu suchen.",
        "error.title": "Die Suche konnte nicht ausgeführt werden",
        "error.too_long": "Ihre Suche ist zu lang ({length} Zeichen). Bitte kürzen Sie sie auf höchstens "
                          "{max} Zeichen — ein paar Stichwörter genügen.",
        "error.filter": "Diesen Filter gibt es im Index nicht ({detail}). Entfernen Sie die Filter und suchen "
                        "Sie erneut.",
        "error.year": "„{value}“ ist keine gültige Jahreszahl. Entfernen Sie diesen Filter.",
        "error.invalid": "Diese Suche konnte nicht ausgeführt werden ({detail}). Ändern Sie sie und versuchen "
                         "Sie es erneut.",
        "error.unavailable": "Die Suche ist gerade nicht verfügbar. Versuchen Sie es gleich noch einmal.",
        "error.network": "Die Ergebnisse konnten nicht geladen werden. Prüfen Sie Ihre Verbindung oder "
                         "drücken Sie die Eingabetaste, um es erneut zu versuchen.",
        "notfound.title": "Dokument nicht gefunden",
        "notfound.text": "Dieses Dokument ist nicht (mehr) im Index: Es wurde vielleicht entfernt oder neu "
                         "indexiert. Suchen Sie es über seinen Titel oder sein Thema.",
        "back.search": "Zurück zur Suche",
        "back.home": "Zur Suche",
        "results.heading": "Ergebnisse",
        "results.count.one": "{n} Dokument gefunden",
        "results.count.many": "{n} Dokumente gefunden",
        "results.for": "für „{q}“",
        "results.more": "Mehr Ergebnisse anzeigen",
        "facets.heading": "Eingrenzen",
        "facets.active": "Aktive Filter:",
        "facets.clear": "Alle Filter entfernen",
        "facets.remove": "Filter entfernen",
        "facets.selected": "ausgewählt; klicken zum Entfernen",
        "facets.documents": "Dokumente",
        "facet.edition": "Ausgabe",
        "facet.type": "Art",
        "facet.language": "Sprache",
        "facet.year": "Jahr",
        "facet.year_from": "Ab",
        "facet.year_to": "Bis",
        "facet.author": "Autor·in",
        "result.page": "Seite {page}",
        "result.slide": "Folie {page}",
        "result.open_page": "Datei auf Seite {page} öffnen",
        "result.open_file": "Datei öffnen",
        "result.document": "Dokumentseite",
        "result.similar": "Ähnliche Dokumente",
        "result.whole": "Ganze Passage anzeigen",
        "result.also": "Auch:",
        "result.by": "von {authors}",
        "meta.authors": "Autor·innen",
        "meta.year": "Jahr",
        "meta.edition": "Ausgabe",
        "meta.type": "Art",
        "meta.language": "Sprache",
        "meta.pages": "Seiten",
        "meta.format": "Format",
        "meta.supervisor": "Betreuung",
        "meta.programme": "Studiengang",
        "meta.prize": "Preis",
        "meta.keywords": "Schlagwörter",
        "meta.file": "Datei",
        "doc.metadata": "Beschreibung",
        "doc.passages": "Text, Seite für Seite",
        "doc.passages.note": "Der aus der Datei gewonnene Text, Passage für Passage, so wie die Suche ihn liest.",
        "doc.text": "Text",
        "doc.text.note": "Das Dokument, wie es geschrieben wurde, zum Lesen formatiert.",
        "doc.page": "Seite {page}",
        "doc.slide": "Folie {page}",
        "doc.open": "Originaldatei öffnen",
        "doc.related": "Verwandte Dokumente",
        "doc.related.note": "Dokumente mit ähnlichem Inhalt, in allen Sprachen.",
        "doc.no_related": "Kein verwandtes Dokument gefunden.",
        "doc.no_text": "Aus diesem Dokument wurde kein Text gewonnen.",
        "footer.about": "Passerelle — semantische Suche für den Sozialsektor in Luxemburg.",
        "footer.api": "API-Dokumentation",
        "unknown": "unbekannt",
        "type.thesis": "Abschlussarbeit",
        "type.talk": "Vortrag",
        "type.slides": "Präsentation",
        "type.programme": "Programm",
        "type.report": "Bericht",
        "type.article": "Artikel",
        "type.document": "Dokument",
        "language.fr": "Französisch",
        "language.de": "Deutsch",
        "language.en": "Englisch",
        "language.lb": "Luxemburgisch",
        "language.pt": "Portugiesisch",
        "language.it": "Italienisch",
        "language.es": "Spanisch",
        "language.nl": "Niederländisch",
        "language.ar": "Arabisch",
        # Citing a document (its page's "Cite" section, and the link to it from each result).
        "cite.title": "Dieses Dokument zitieren",
        "cite.note": "Aus dem Katalog erstellt: Bitte vor der Verwendung prüfen.",
        "cite.apa": "APA (7. Auflage)",
        "cite.bibtex": "BibTeX",
        "cite.copy": "Kopieren",
        "cite.copied": "Kopiert",
        "cite.copy_failed": "Kopieren nicht möglich: Der Text ist markiert, kopieren Sie ihn mit Strg+C.",
        "cite.download": "Für die Literaturverwaltung herunterladen:",
        "cite.format.bibtex": "BibTeX (.bib)",
        "cite.format.ris": "RIS (.ris) — Zotero, EndNote, Citavi",
        "cite.format.csl_json": "CSL-JSON (.json) — Zotero, Pandoc",
        "result.cite": "Zitieren",
    },
    "en": {
        "facet.by": "Author",
        "facet.supervisor": "Supervisor",
        "facet.keyword": "Keyword",
        "sort.label": "Sort:",
        "sort.relevance": "by relevance",
        "sort.newest": "newest first",
        "sort.oldest": "oldest first",
        "browse.count.one": "{n} document",
        "browse.count.many": "{n} documents",
        "browse.by": "Documents by {name}",
        "browse.coauthors": "Co-authors:",
        "start.browse": "Browse the documents",
        "start.editions": "The editions",
        "start.types": "By type",
        "start.prizes": "Latest prize-winning theses",
        "start.documents": "{n} documents",
        "site.tagline": "Search the social sector's conference material and theses, in any language",
        "skip.results": "Skip to results",
        "skip.content": "Skip to content",
        "switcher.label": "Interface language",
        "search.label": "Search the documents",
        "search.placeholder": "e.g. helping immigrant children at school",
        "search.button": "Search",
        "search.hint": "Ask in French, German, English or Luxembourgish: documents in every language are found.",
        "search.searching": "Searching…",
        "empty.title": "What are you looking for?",
        "empty.text": "Type a question or a few words. Results appear as you type; press Enter to search.",
        "empty.examples": "Examples:",
        "empty.count": "{documents} documents indexed.",
        "nomatch.title": "No document really matches your question",
        "nomatch.text": "Nothing in the documents is really about “{q}”. Try other words, or look at the nearest "
                        "documents below.",
        "nomatch.facets": "No document matches: no counts by filter.",
        "results.nearest": "Nearest documents",
        "results.nearest.note": "They do not really match the question, but they are the closest to it.",
        "results.related": "Other related documents",
        "results.count.match.one": "{n} matching document",
        "results.count.match.many": "{n} matching documents",
        "why.words": "Contains: {words}",
        "why.meaning": "Found by meaning",
        "why.meaning.language": "Found by meaning (document in {language})",
        "error.no_content": "Your search has no word that carries a meaning on its own (a single letter, or "
                            "words like “the”, “le”, “der”). Add a word about what you are looking for.",
        "noresult.title": "No result",
        "noresult.text": "No result — try fewer words or another language.",
        "noresult.filters": "Filters are on: remove them to search all documents.",
        "error.title": "The search could not be run",
        "error.too_long": "Your search is too long ({length} characters). Please shorten it to at most {max} "
                          "characters — a few key words are enough.",
        "error.filter": "This filter is not in the index ({detail}). Remove the filters and search again.",
        "error.year": "“{value}” is not a valid year. Remove this filter.",
        "error.invalid": "This search could not be run ({detail}). Change it and try again.",
        "error.unavailable": "The search is unavailable right now. Please try again in a moment.",
        "error.network": "The results could not be loaded. Check your connection, or press Enter to try again.",
        "notfound.title": "Document not found",
        "notfound.text": "This document is not (or no longer) in the index: it may have been removed or "
                         "re-indexed. Search for it by its title or topic instead.",
        "back.search": "Back to the search",
        "back.home": "Go to the search",
        "results.heading": "Results",
        "results.count.one": "{n} document found",
        "results.count.many": "{n} documents found",
        "results.for": "for “{q}”",
        "results.more": "Show more results",
        "facets.heading": "Narrow down",
        "facets.active": "Filters in use:",
        "facets.clear": "Remove all filters",
        "facets.remove": "Remove filter",
        "facets.selected": "selected; click to remove",
        "facets.documents": "documents",
        "facet.edition": "Edition",
        "facet.type": "Type",
        "facet.language": "Language",
        "facet.year": "Year",
        "facet.year_from": "From",
        "facet.year_to": "Until",
        "facet.author": "Author",
        "result.page": "page {page}",
        "result.slide": "slide {page}",
        "result.open_page": "Open the file at page {page}",
        "result.open_file": "Open the file",
        "result.document": "Document page",
        "result.similar": "Similar documents",
        "result.whole": "Show the whole passage",
        "result.also": "Also:",
        "result.by": "by {authors}",
        "meta.authors": "Authors",
        "meta.year": "Year",
        "meta.edition": "Edition",
        "meta.type": "Type",
        "meta.language": "Language",
        "meta.pages": "Pages",
        "meta.format": "Format",
        "meta.supervisor": "Supervisor",
        "meta.programme": "Programme",
        "meta.prize": "Prize",
        "meta.keywords": "Keywords",
        "meta.file": "File",
        "doc.metadata": "Description",
        "doc.passages": "Text, page by page",
        "doc.passages.note": "The text taken from the file, passage by passage, as the search reads it.",
        "doc.text": "Text",
        "doc.text.note": "The document as it was written, formatted for reading.",
        "doc.page": "Page {page}",
        "doc.slide": "Slide {page}",
        "doc.open": "Open the original file",
        "doc.related": "Related documents",
        "doc.related.note": "Documents with similar content, in any language.",
        "doc.no_related": "No related document found.",
        "doc.no_text": "No text was extracted from this document.",
        "footer.about": "Passerelle — semantic search for Luxembourg's social sector.",
        "footer.api": "API documentation",
        "unknown": "unknown",
        "type.thesis": "thesis",
        "type.talk": "talk",
        "type.slides": "slides",
        "type.programme": "programme",
        "type.report": "report",
        "type.article": "article",
        "type.document": "document",
        "language.fr": "French",
        "language.de": "German",
        "language.en": "English",
        "language.lb": "Luxembourgish",
        "language.pt": "Portuguese",
        "language.it": "Italian",
        "language.es": "Spanish",
        "language.nl": "Dutch",
        "language.ar": "Arabic",
        # Citing a document (its page's "Cite" section, and the link to it from each result).
        "cite.title": "Cite this document",
        "cite.note": "Built from the catalogue: check it before use.",
        "cite.apa": "APA (7th edition)",
        "cite.bibtex": "BibTeX",
        "cite.copy": "Copy",
        "cite.copied": "Copied",
        "cite.copy_failed": "Could not copy: the text is selected, copy it with Ctrl+C.",
        "cite.download": "Download for a reference manager:",
        "cite.format.bibtex": "BibTeX (.bib)",
        "cite.format.ris": "RIS (.ris) — Zotero, EndNote, Citavi",
        "cite.format.csl_json": "CSL-JSON (.json) — Zotero, Pandoc",
        "result.cite": "Cite",
    },
}

# Example queries on the empty page, in several languages on purpose: they show that any language works.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("fr", "Comment aider les enfants immigrés à réussir à l'école ?"),
    ("de", "Einsamkeit älterer Menschen"),
    ("en", "housing first homelessness"),
    ("fr", "intelligence artificielle et travail social"),
)


def translate(language: str, key: str, /, **values: object) -> str:
    """The string ``key`` in ``language`` (the default language's when that has none), filled in."""
    strings = STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE])
    text = strings.get(key) or STRINGS[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**values) if values else text


def label(language: str, kind: str, value: object, *, editions: Mapping[str, str] | None = None) -> str:
    """A facet value as the interface shows it: a language or document type in words, an edition by its catalogue
    title (``editions``: titles by id; the titles are the catalogue's, in its language), anything else as is."""
    if value is None:
        return translate(language, "unknown")
    if kind == "edition" and editions is not None:
        return editions.get(str(value), str(value))
    if kind in ("type", "language"):
        return STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE]).get(f"{kind}.{value}", str(value))
    return str(value)


def meta_label(language: str, key: str) -> str:
    """The name of a catalogue field (supervisor, programme, prize…); unknown fields are shown tidied up."""
    known = STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE]).get(f"meta.{key}")
    return known or key.replace("_", " ").capitalize()


def choose(explicit: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: the ``lang`` parameter, else the cookie, else the browser's preferences."""
    for candidate in (explicit, cookie):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return negotiate(accept_language or "")


def negotiate(header: str, supported: tuple[str, ...] = LANGUAGES, default: str = DEFAULT_LANGUAGE) -> str:
    """The first supported language of an ``Accept-Language`` header, by preference (q) then order."""
    preferences: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        if not tag:
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            preferences.append((-weight, position, tag.lower()))
    for _, _, tag in sorted(preferences):
        base = tag.split("-")[0]
        if base in supported:
            return base
    return default


def strings_for(language: str) -> Mapping[str, str]:
    return STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE])
