"""Build the Passerelle demo corpus in ``corpus/`` from its Markdown sources.

Every ``tools/corpus_builder/src/<edition>/*.md`` file (TOML front matter between ``+++`` lines, then a
small Markdown body; see ``tools/corpus_builder/SPEC.md``) becomes one built document at
``corpus/<edition>/<file>``, in the format given by the extension of ``file``:

- ``.pdf``  reportlab platypus, built with ``invariant=1`` so rebuilding gives identical bytes;
  theses get a title page, a table of contents and one new page per ``#`` section (``pdf``);
- ``.docx`` python-docx, ``.pptx`` python-pptx (one slide per ``---`` block, optional notes) (``office``);
- ``.html`` a standalone HTML5 page, ``.md`` the body as written, ``.txt`` plain text (``text``).

Each edition folder also gets a ``catalogue.toml`` generated from the front matter (this is what the
indexer reads) plus the ``[edition]`` table from ``_edition.toml`` (``catalogue``). Built files that no
longer have a source are deleted, so the corpus and its catalogues never drift apart, and the document
counts in ``corpus/README.md`` (between its ``counts`` markers) are refreshed (``build``). ``sources``
parses and validates the sources, ``markdown`` the body's Markdown subset.

Run from the repository root::

    .venv/bin/python -m tools.corpus_builder            # build everything
    .venv/bin/python -m tools.corpus_builder --check    # only parse and validate the sources
"""
