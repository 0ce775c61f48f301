"""The staff console at ``/admin``: its pages and forms, staff sign-in and sessions, and the changes staff make
to the corpus folder (editions, uploads, descriptions, withdrawals)."""
