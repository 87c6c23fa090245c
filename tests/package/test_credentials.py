"""The one credential masker: whatever spelling a secret takes in a text, it is masked."""

import json

from titanic_masking import (
    MASK,
    Masker,
    mask,
    mask_url_credentials,
    shown_url,
    split_credentials,
    url_secrets,
)

PASSWORD = "p%2Fss%3Aw0rd"  # pragma: allowlist secret
URL = f"https://deploy%40team:{PASSWORD}@pypi.fury.io:8443/acme/simple/?token=x#frag"


def test_a_urls_user_and_password_are_found_raw_and_percent_decoded() -> None:
    found = url_secrets(URL)
    assert {URL, "deploy%40team", "deploy@team", "p%2Fss%3Aw0rd", "p/ss:w0rd"} <= found


def test_several_space_separated_urls_each_give_their_credentials() -> None:
    found = url_secrets("https://a:one1@x.example/simple https://b:two2@y.example/simple")
    assert {"one1", "two2", "a", "b"} <= found


def test_masked_in_every_spelling_longest_first() -> None:
    masker = Masker(url_secrets(URL))
    text = f"pip failed for {URL}; user deploy@team, password p/ss:w0rd, raw p%2Fss%3Aw0rd"
    in_json = json.dumps({"url": URL, "password": "p/ss:w0rd"})

    for masked in (masker(text), masker(in_json)):
        assert "w0rd" not in masked
        assert "deploy" not in masked
        assert MASK in masked
    assert masker(URL) == MASK  # the whole URL at once, not pieces of it


def test_short_secrets_are_left_alone_only_when_asked() -> None:
    assert Masker(["ab"], min_length=4)("a tab") == "a tab"
    assert Masker(["ab"])("a tab") == f"a t{MASK}"


def test_empty_secrets_mask_nothing() -> None:
    assert mask("nothing secret here", "", "") == "nothing secret here"


def test_mask_url_credentials_leaves_the_rest_of_the_text() -> None:
    masked = mask_url_credentials("login deploy@team / p/ss:w0rd at host", URL)
    assert masked == f"login {MASK} / {MASK} at host"


def test_shown_url_keeps_where_but_not_who() -> None:
    assert shown_url(URL) == f"https://{MASK}@pypi.fury.io:8443/acme/simple/"
    database = "postgresql://u:pw@db:5432/store"  # pragma: allowlist secret
    assert shown_url(database) == f"postgresql://{MASK}@db:5432/store"
    assert shown_url("sqlite:///data/predictions.sqlite3") == "sqlite:///data/predictions.sqlite3"


def test_split_credentials_gives_the_bare_url_and_decoded_parts() -> None:
    bare, user, password = split_credentials(URL)
    assert (bare, user, password) == (
        "https://pypi.fury.io:8443/acme/simple/?token=x",
        "deploy@team",
        "p/ss:w0rd",
    )
