"""The public web page for people: search and document pages, their state in the URL, the rendering of documents,
the templating and interface languages (shared with the staff console), the templates and static files."""
