"""api/verify_install.py on hand-made pip reports (the e2e tests run it on real pip installs)."""

from typing import Any

import pytest
from verify_install import InstallSourceError, check_source, model_download_url, origin

PRIVATE = "https://user:s3cret@pypi.fury.io/acme/"  # pragma: allowlist secret


def report(url: str, name: str = "titanic_survival_model") -> dict[str, Any]:
    item = {"metadata": {"name": name, "version": "0.1.0"}, "download_info": {"url": url}}
    other = {"metadata": {"name": "fastapi"}, "download_info": {"url": "https://pypi.example/f"}}
    return {"install": [other, item]}


def test_a_wheel_from_the_private_host_passes() -> None:
    url = f"{PRIVATE}-/ver_1/titanic_survival_model-0.1.0.whl"
    assert check_source(report(url), PRIVATE) == (
        "https://pypi.fury.io:443 (titanic_survival_model-0.1.0.whl)"
    )


def test_a_wheel_from_another_host_fails_naming_it_without_credentials() -> None:
    url = "https://files.pythonhosted.org/packages/titanic_survival_model-0.1.0.whl"
    with pytest.raises(InstallSourceError) as raised:
        check_source(report(url), PRIVATE)
    assert "files.pythonhosted.org" in str(raised.value)
    assert "s3cret" not in str(raised.value)


def test_the_same_host_on_another_port_fails() -> None:
    private = "http://u:p@127.0.0.1:8080/simple/"
    with pytest.raises(InstallSourceError, match=r"127\.0\.0\.1:9090"):
        check_source(report("http://127.0.0.1:9090/packages/x.whl"), private)


def test_a_report_without_the_model_fails() -> None:
    with pytest.raises(InstallSourceError, match="not in the pip report"):
        model_download_url({"install": []})


def test_no_private_index_fails() -> None:
    with pytest.raises(InstallSourceError, match="PIP_EXTRA_INDEX_URL is not set"):
        check_source(report("https://pypi.fury.io/x.whl"), "")


def test_an_origin_holds_no_credentials_and_names_the_default_port() -> None:
    assert origin(PRIVATE) == "https://pypi.fury.io:443"
    assert origin("HTTP://Host.Example/simple/") == "http://host.example:80"
    assert origin("http://u:p@127.0.0.1:8080/simple/") == "http://127.0.0.1:8080"
