"""The JSON API for programs: typed dependencies, query parameters, response schemas, error answers and routes."""
