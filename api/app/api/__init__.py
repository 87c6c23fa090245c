"""HTTP routes: thin wrappers that hand the rows to `titanic_model.make_prediction`."""
