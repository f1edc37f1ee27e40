"""The web: the app factory (`create_app`), the WSGI entry, the JSON API with its OpenAPI document, and the cache
backends. May import every other part; it is where `callbacks` are registered."""
