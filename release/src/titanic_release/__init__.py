"""The release machinery of titanic-survival-model: what decides what ships and where it goes.

It uses the model package only through its public names (`import titanic_model`), as any other
consumer would; see release/README.md for what each module does.
"""
