"""The built wheel works on its own: installed into a fresh venv outside the repository."""

import json
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from titanic_release.commands import run
from titanic_release.publish import PYPA_BUILD

from titanic_model import __version__
from titanic_model.config import PACKAGE_ROOT

REPO_ROOT = PACKAGE_ROOT.parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([*PYPA_BUILD, "--wheel", "--outdir", out, REPO_ROOT], "build the wheel")
    [built] = out.glob("*.whl")
    return built


def test_wheel_carries_data_config_and_artifact(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "titanic_model/VERSION",
        "titanic_model/config.yml",
        "titanic_model/datasets/titanic3.csv",
        f"titanic_model/trained_models/titanic_model_v{__version__}.pkl",
        f"titanic_model/trained_models/titanic_model_v{__version__}.json",
        f"titanic_model/trained_models/titanic_model_v{__version__}.scorer.json",
    ):
        assert expected in names
    assert wheel.name.startswith(f"titanic_survival_model-{__version__}-")


def test_plain_install_predicts_in_a_fresh_venv_without_scikit_learn(
    wheel: Path, tmp_path: Path
) -> None:
    """No extras: what the API installs. Scoring works; the training stack and MLflow are not
    there."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, venv], "venv")
    python = venv / "bin" / "python"
    run(
        [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", python, wheel],
        "install",
    )
    script = textwrap.dedent(
        """
        import json
        from importlib.util import find_spec
        from titanic_model import make_prediction, __version__
        good = {"pclass": 1, "sex": "female", "age": 30, "name": "A, Mrs. B"}
        bad = {"pclass": 1, "sex": "female", "age": "thirty"}
        print(json.dumps({"installed": __version__, "result": make_prediction(
            input_data=[good, bad, good]), "training_stack": [
            name for name in ("sklearn", "scipy", "joblib", "mlflow")
            if find_spec(name) is not None]}))
        """
    )
    # Run from an empty directory so the repository's source tree cannot be imported.
    answer = json.loads(run([python, "-c", script], "predict", cwd=tmp_path))
    result = answer["result"]
    assert answer["installed"] == __version__
    assert answer["training_stack"] == []
    assert result["predictions"][1] is None
    assert result["predictions"][0] in (0, 1)
    assert result["probabilities"][0] == result["probabilities"][2]
    assert result["errors"] == [
        {"row": 1, "field": "age", "message": result["errors"][0]["message"]}
    ]
    assert "valid number" in result["errors"][0]["message"]
    location = run(
        [python, "-c", "import titanic_model; print(titanic_model.__file__)"],
        "locate",
        cwd=tmp_path,
    )
    assert str(venv) in location


def test_wheel_describes_itself_with_the_package_readme(wheel: Path) -> None:
    """The index shows the package's own short README, not the project manual with CI secrets."""
    with zipfile.ZipFile(wheel) as archive:
        [metadata_name] = [name for name in archive.namelist() if name.endswith("/METADATA")]
        metadata = archive.read(metadata_name).decode()
    headers, _, description = metadata.partition("\n\n")
    assert "Description-Content-Type: text/markdown" in headers
    package_readme = (REPO_ROOT / "model_package" / "README.md").read_text(encoding="utf-8")
    assert description.strip() == package_readme.strip()
    for secret_name in ("TWINE_PASSWORD", "RAILWAY_TOKEN", "CircleCI"):
        assert secret_name not in description
