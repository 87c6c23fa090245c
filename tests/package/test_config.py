"""config.yml is validated at import: a bad config fails loudly and names the field."""

from pathlib import Path

import pytest
import yaml

from titanic_model.config import CONFIG_FILE, ConfigError, load_config


def _write_variant(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(CONFIG_FILE.read_text())
    for dotted, value in change.items():
        *parents, leaf = dotted.split(".")
        node = raw
        for part in parents:
            node = node[part]
        if value is _DELETE:
            del node[leaf]
        else:
            node[leaf] = value
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


_DELETE = object()


def test_packaged_config_is_valid() -> None:
    cfg = load_config()
    assert cfg.target == "survived"
    assert 0 < cfg.split.test_size < 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"split.test_size": 1.5}, "split.test_size"),
        ({"split.random_state": "zero"}, "split.random_state"),
        ({"model.C": -1}, "model.C"),
        ({"features.numeric": ["age", "boat"]}, "features.numeric.1"),
        ({"features.categorical": ["home.dest"]}, "features.categorical.0"),
        ({"features.engineered": ["title", "title"]}, "features"),
        ({"data.sha256": "not-a-checksum"}, "data.sha256"),
        ({"target": "boat"}, "target"),
        ({"quality_gate.min_roc_auc": 2}, "quality_gate.min_roc_auc"),
        ({"quality_gate.max_brier": -0.1}, "quality_gate.max_brier"),
        ({"model.unexpected": 1}, "model.unexpected"),
        ({"predict_chunk_rows": _DELETE}, "predict_chunk_rows"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, change: dict[str, object], field: str) -> None:
    path = _write_variant(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"invalid config file {path}:\n")
    assert f"\n  {field}: " in str(caught.value)


def test_unreadable_config_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(path)
    path.write_text("features: [unclosed")
    with pytest.raises(ConfigError, match=r"config file .* is not YAML"):
        load_config(path)
