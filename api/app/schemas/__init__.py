"""Wire models: what the API accepts and answers, as documented in its OpenAPI spec."""
