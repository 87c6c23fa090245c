"""Cross-cutting pieces of the service: settings, logging, middleware, error handling."""
