"""The shadow report's verdicts end to end, with real services on SQLite and PostgreSQL: the
released model installed from a private index answers held-out titanic passengers with the mirror
on, a candidate installed the same way stores its answers as the shadow, the true labels come
back through the live API's outcomes route, and `make shadow-report` decides.

The same model as candidate: INSUFFICIENT with 30 labels, PROMOTE once every label is in. A
candidate that lost the passenger's sex: REJECT, naming accuracy and its interval.
"""

from typing import Any

import pytest
from e2e_production import Installed, production, shadow_report
from released_models import install_version, publish_released, publish_sexless
from titanic_release.local_index import running_index

from titanic_paired.rules import load_rules

FEW_LABELS = 30


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Installed]:
    """The released version and the sexless candidate, each installed from the index."""
    work = tmp_path_factory.mktemp("released")
    with running_index(work / "index") as index:
        versions = {
            "released": publish_released(index, work),
            "sexless": publish_sexless(index, work),
        }
        return {
            name: Installed(version, install_version(index, version, work / f"venv-{name}"))
            for name, version in versions.items()
        }


def test_the_same_model_is_insufficient_on_30_labels_then_promoted(
    installed: dict[str, Installed], store_url: str, traffic: list[dict[str, Any]]
) -> None:
    released = installed["released"]
    with production(released, released, store_url, traffic) as live:
        live.send_traffic()
        live.post_labels(0, FEW_LABELS)
        done, summary = shadow_report(store_url)
        assert done.returncode == 2, done.stdout + done.stderr
        assert summary["verdict"] == "INSUFFICIENT"
        assert summary["quality"]["labelled_pairs"] == FEW_LABELS
        assert f"{load_rules().min_labelled_pairs - FEW_LABELS} more" in done.stdout
        live.post_labels(FEW_LABELS, len(traffic))
        done, summary = shadow_report(store_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary["verdict"] == "PROMOTE"
    assert summary["candidate_version"] == released.version
    assert summary["live_versions"] == [released.version]
    assert summary["pairs"] == summary["quality"]["labelled_pairs"] == len(traffic)
    assert summary["flips"]["agreement"] == 1.0


def test_a_candidate_that_lost_the_passengers_sex_is_rejected_naming_accuracy(
    installed: dict[str, Installed], store_url: str, traffic: list[dict[str, Any]]
) -> None:
    sexless = installed["sexless"]
    with production(installed["released"], sexless, store_url, traffic) as live:
        live.send_traffic()
        live.post_labels(0, len(traffic))
        done, summary = shadow_report(store_url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert summary["verdict"] == "REJECT"
    assert summary["candidate_version"] == sexless.version
    assert summary["live_versions"] == [installed["released"].version]
    assert summary["quality"]["labelled_pairs"] == len(traffic)
    assert "accuracy: candidate worse by" in done.stdout
    (accuracy,) = [d for d in summary["quality"]["differences"] if d["metric"] == "accuracy"]
    assert accuracy["high"] > load_rules().tolerance.accuracy
    assert accuracy["low"] > 0  # worse, not only possibly worse
