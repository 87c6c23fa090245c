"""The gate has teeth: deliberately broken candidates fail it, a small honest change passes.

Each candidate is retrained from the working tree's pipeline with one thing changed and scored
on the fixed input set; the reference is the working tree's own model through make_prediction.
The broken ones still run and still return sensible-looking probabilities: only the comparison
shows what they lost. Reports land in reports/differential/teeth/.
"""

from collections.abc import Callable
from typing import Any

import pytest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from titanic_release.compare import Comparison, compare
from titanic_release.gate import load_gate
from titanic_release.inputs import InputSet
from titanic_release.report import REPORT_DIR, write_report

from differential_tests.variants import pipeline_capture, train_variant, with_features, with_model
from titanic_model import __version__
from titanic_model.config import AppConfig, config

pytestmark = pytest.mark.differential

TEETH_REPORTS = REPORT_DIR / "teeth"
SAME_VERSION_RULE = "a changed model needs a new VERSION"


def _gate(
    reference: dict[str, Any], candidate: dict[str, Any], inputs: InputSet, name: str
) -> Comparison:
    comparison = compare(
        reference,
        candidate,
        inputs,
        load_gate(),
        baseline_origin="the working tree's model through make_prediction",
        candidate_origin=f"retrained in-process: {name.replace('_', ' ')}",
    )
    write_report(comparison, name, TEETH_REPORTS)
    return comparison


def _failed_checks(comparison: Comparison) -> list[str]:
    return [check.name for check in comparison.checks if not check.passed]


PREPROCESSING_LOSSES: dict[str, Callable[[Pipeline], object]] = {
    # The title sub-pipeline one-hot encodes raw names instead of titles: it still fits and
    # predicts (every held-out name is simply unseen), the title signal is gone.
    "title_extraction_removed": lambda p: p.set_params(features__title__extract="passthrough"),
    # Missing ages and fares become 0 (a newborn travelling free) instead of the training median.
    "missing_values_filled_with_zero": lambda p: p.set_params(
        features__numeric__impute=SimpleImputer(strategy="constant", fill_value=0)
    ),
}


@pytest.mark.parametrize("loss", sorted(PREPROCESSING_LOSSES))
def test_candidate_that_lost_a_preprocessing_step_fails(
    loss: str, candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    broken = train_variant(alter=PREPROCESSING_LOSSES[loss])
    candidate = pipeline_capture(broken, inputs, f"{__version__}+{loss.replace('_', '.')}")
    comparison = _gate(candidate_capture, candidate, inputs, loss)
    assert not comparison.passed
    assert _failed_checks(comparison), comparison.failures  # a tolerance, not a version rule


def _without(feature: str) -> AppConfig:
    groups = config.features.model_dump()
    return with_features(
        **{group: [f for f in names if f != feature] for group, names in groups.items()}
    )


ALL_FEATURES = [f for group in config.features.model_dump().values() for f in group]


@pytest.mark.parametrize("feature", ALL_FEATURES)
def test_candidate_that_lost_a_feature_fails(
    feature: str, candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    cfg = _without(feature)
    all_features = [f for group in cfg.features.model_dump().values() for f in group]
    assert feature not in all_features
    assert len(all_features) == len(ALL_FEATURES) - 1
    candidate = pipeline_capture(train_variant(cfg), inputs, f"{__version__}+without.{feature}")
    comparison = _gate(candidate_capture, candidate, inputs, f"without_{feature}")
    assert not comparison.passed
    assert _failed_checks(comparison), comparison.failures


# A slightly different regularisation strength: with the shipped C = 0.1, C = 0.12.
SLIGHTLY_DIFFERENT_C = round(config.model.C * 1.2, 6)


def test_slightly_different_hyperparameters_pass_with_a_report(
    candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    retrained = train_variant(with_model(C=SLIGHTLY_DIFFERENT_C))
    version = f"{__version__}+c.{SLIGHTLY_DIFFERENT_C}"
    comparison = _gate(
        candidate_capture, pipeline_capture(retrained, inputs, version), inputs, "c_x1.2"
    )

    assert comparison.passed, comparison.failures
    assert comparison.changed, "the retrained candidate should differ from the reference a little"
    report = (TEETH_REPORTS / "c_x1.2.md").read_text(encoding="utf-8")
    assert "# Differential report: PASS" in report
    assert f"**{version}**" in report
    assert f"**{__version__}**" in report
    assert "max_roc_auc_drop" in report
    assert (TEETH_REPORTS / "c_x1.2.json").is_file()


def test_a_changed_model_under_an_unchanged_version_fails(
    candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    """Within tolerance is not enough when the version says nothing changed."""
    retrained = train_variant(with_model(C=SLIGHTLY_DIFFERENT_C))
    candidate = pipeline_capture(retrained, inputs, __version__)
    comparison = _gate(candidate_capture, candidate, inputs, "same_version_changed_model")
    assert not comparison.passed
    assert not _failed_checks(comparison)
    assert any(SAME_VERSION_RULE in failure for failure in comparison.failures)
