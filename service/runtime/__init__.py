"""What the running service holds and does between requests: the inference thread, the served index and its
live reload, the re-index runner, metrics, logs and the headers every answer carries. It knows nothing of HTTP
routes or pages."""
