"""Training: data, pipeline, fitting, evaluation, the compiled scorer and the artifact files.

Needs the `train` extra (scikit-learn, joblib). Imports go one way: training uses the serving
modules (the contract, the rules, the scorer's format, the metadata), and serving never imports
anything from here (tests/ci/test_layout.py checks it).
"""
