"""The custom transformers follow scikit-learn's conventions and extract what they say."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from titanic_model.rules import extract_deck, extract_title
from titanic_model.training.features import CabinDeckExtractor, TitleExtractor

# These generic checks compare outputs numerically; a transformer whose output is text cannot
# pass them. test_text_output_* below check the same properties for text outputs.
_NUMERIC_OUTPUT_CHECKS = {
    name: "compares the transformer's text output numerically"
    for name in (
        "check_pipeline_consistency",
        "check_estimators_pickle",
        "check_transformer_data_not_an_array",
        "check_transformer_general",
        "check_transformer_preserve_dtypes",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_fit_idempotent",
    )
}


@parametrize_with_checks(
    [TitleExtractor(), CabinDeckExtractor()],
    expected_failed_checks=lambda _: _NUMERIC_OUTPUT_CHECKS,
)
def test_sklearn_estimator_checks(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Allen, Miss. Elisabeth Walton", "Miss"),
        ("Allison, Master. Hudson Trevor", "Master"),
        ("Andrews, Mr. Thomas Jr", "Mr"),
        ("Appleton, Mrs. Edward Dale (Charlotte Lamson)", "Mrs"),
        ("Aubart, Mme. Leontine Pauline", "Mrs"),
        ("Duff Gordon, Lady. (Lucille Christiana Sutherland)", "Rare"),
        ("Rothes, the Countess. of (Lucy Noel Martha Dyer-Edwards)", "Rare"),
        ("Reynaldo, Ms. Encarnacion", "Miss"),
        ("Sagesser, Mlle. Emma", "Miss"),
        ("Minahan, Dr. William Edward", "Rare"),
        ("Nobody Without A Title", "Unknown"),
        ("", "Unknown"),
        (None, "Unknown"),
        (float("nan"), "Unknown"),
    ],
)
def test_extract_title(name: object, title: str) -> None:
    assert extract_title(name) == title


@pytest.mark.parametrize(
    ("cabin", "deck"),
    [("C22 C26", "C"), ("B5", "B"), (" e12", "E"), ("T", "T"), ("", "Unknown"), (None, "Unknown")],
)
def test_extract_deck(cabin: object, deck: str) -> None:
    assert extract_deck(cabin) == deck


def test_every_name_in_the_data_gets_a_title(dataset: pd.DataFrame) -> None:
    titles = TitleExtractor().fit_transform(dataset[["name"]])[:, 0]
    assert set(titles) <= {"Mr", "Mrs", "Miss", "Master", "Rare"}
    assert (titles == "Mr").sum() > 700  # most passengers were men


@pytest.mark.parametrize("transformer", [TitleExtractor(), CabinDeckExtractor()])
def test_text_output_pandas_and_names(transformer: TitleExtractor, dataset: pd.DataFrame) -> None:
    column = "name" if isinstance(transformer, TitleExtractor) else "cabin"
    out = transformer.set_output(transform="pandas").fit_transform(dataset[[column]])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"{column}_{transformer.output_suffix}"]
    assert list(out.index) == list(dataset.index)
    transformer.set_output(transform="default")


@pytest.mark.parametrize("transformer", [TitleExtractor(), CabinDeckExtractor()])
def test_text_output_is_consistent(transformer: TitleExtractor, dataset: pd.DataFrame) -> None:
    column = "name" if isinstance(transformer, TitleExtractor) else "cabin"
    frame = dataset[[column]]
    fitted = transformer.fit(frame)
    once = fitted.transform(frame)
    np.testing.assert_array_equal(transformer.fit_transform(frame), once)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(frame), once)
    reversed_rows = fitted.transform(frame.iloc[::-1])
    np.testing.assert_array_equal(reversed_rows[::-1], once)
    np.testing.assert_array_equal(fitted.transform(frame.iloc[:10]), once[:10])


def test_transform_checks_the_number_of_columns() -> None:
    extractor = TitleExtractor().fit(pd.DataFrame({"name": ["A, Mr. B"]}))
    with pytest.raises(ValueError, match="feature"):
        extractor.transform(pd.DataFrame({"name": ["A, Mr. B"], "other": [1]}))
