"""Queries a social worker or a student might type, in the corpus's four languages (for benchmarks)."""

QUERIES = [
    "Comment aider les enfants issus de l'immigration à réussir à l'école ?",
    "intégration scolaire classes d'accueil",
    "santé mentale des jeunes en foyer",
    "intelligence artificielle et protection des données dans le travail social",
    "accueil de la petite enfance chèque-service",
    "violence domestique enfants co-victimes",
    "insertion professionnelle des réfugiés",
    "Wie geht es Schülern psychisch im Sekundarunterricht?",
    "Cochlea-Implantat Inklusion Regelschule",
    "Suchtprävention Cannabis Jugendarbeit",
    "Wohnungsnot bei Alleinerziehenden",
    "digitale Kompetenzen Sozialarbeit",
    "Housing First homelessness Luxembourg",
    "refugees access to the labour market",
    "disability and leisure activities for young people",
    "How can AI help with case notes without replacing social workers?",
    "Eeler Leit doheem Eesamkeet",
    "Kanner mat Migratiounshannergrond an der Schoul",
    "stands des organisations et offres d'emploi",
    "Programm der Journée du secteur social 2025",
]
