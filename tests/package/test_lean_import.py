"""Scoring records imports neither scikit-learn, SciPy, joblib nor pandas (nor NumPy), nor
anything of the package's training room, nor MLflow (installed here by the [tracking] extra)."""

import json
import subprocess
import sys
import textwrap

HEAVY = (
    "sklearn",
    "scipy",
    "joblib",
    "pandas",
    "numpy",
    "threadpoolctl",
    "titanic_model.training",
    "mlflow",
)


def _modules_after(code: str) -> dict[str, bool]:
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded: dict[str, bool] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


def test_import_warm_up_and_score_records_stay_lean() -> None:
    loaded = _modules_after(
        """
        import titanic_model
        titanic_model.warm_up()
        titanic_model.model_metadata()
        one = {"pclass": 1, "sex": "female", "age": 30, "name": "A, Mrs. B", "cabin": "C85"}
        titanic_model.make_prediction(input_data=one, explain=True)
        titanic_model.make_prediction(input_data=[one, {"pclass": 7}])
        """
    )
    assert not any(loaded.values()), loaded


def test_the_check_sees_a_heavy_import() -> None:
    loaded = _modules_after(
        """
        import titanic_model
        titanic_model.load_pipeline()
        import mlflow
        """
    )
    assert loaded["mlflow"]
    assert loaded["sklearn"]
    assert loaded["joblib"]
    assert loaded["titanic_model.training"]
