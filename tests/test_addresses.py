"""Protected-address files: every line is an address or rejected with its line number; any common encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from etd_readiness.addresses import canonical, check_list, normalize, read_file
from etd_readiness.config_schema import ConfigError
from etd_readiness.protection import is_protected, protected_domains, user_addresses


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "protected.txt"
    path.write_bytes(data)
    return path


def test_comments_blank_lines_duplicates_and_case(tmp_path):
    path = _file(
        tmp_path, b"# ETD policy\n\nAlice@Contoso.example  # the CEO\nalice@contoso.example\n  bob@x.example\n"
    )
    assert read_file(path) == ("alice@contoso.example", "bob@x.example")


def test_junk_lines_are_rejected_with_their_line_numbers(tmp_path):
    path = _file(tmp_path, b"alice@contoso.example\nnot an address\nghost@x.example, dave@x.example\n@x.example\n")
    with pytest.raises(ConfigError) as err:
        read_file(path)
    text = str(err.value)
    assert f"{path}: 3 line(s) are not one e-mail address" in text
    assert "line 2 'not an address'" in text and "line 3 'ghost@x.example, dave@x.example'" in text
    assert "line 4 '@x.example'" in text and "\n" not in text


def test_many_junk_lines_name_a_few_and_count_the_rest(tmp_path):
    path = _file(tmp_path, b"".join(b"junk %d\n" % i for i in range(12)))
    text = str(pytest.raises(ConfigError, read_file, path).value)
    assert "12 line(s)" in text and "line 5 'junk 4'" in text and "line 6" not in text and "and 7 more" in text


def test_very_long_line_is_rejected_and_shortened(tmp_path):
    path = _file(tmp_path, b"a" * 5000 + b"@x.example\n")
    text = str(pytest.raises(ConfigError, read_file, path).value)
    assert "line 1 'aaaa" in text and len(text) < 400


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + "zoë@bücher.de\n".encode(), ("zoë@bücher.de",)),
        (codecs.BOM_UTF16_LE + "zoë@bücher.de\r\n".encode("utf-16-le"), ("zoë@bücher.de",)),
        (codecs.BOM_UTF16_BE + "zoë@bücher.de\n".encode("utf-16-be"), ("zoë@bücher.de",)),
        ("USER@BÜCHER.DE\nuser@xn--bcher-kva.de\n".encode(), ("user@bücher.de",)),
    ],
)
def test_encodings_and_internationalised_domains(tmp_path, data, expected):
    assert read_file(_file(tmp_path, data)) == expected


def test_a_byte_that_is_not_utf8_is_one_clear_line(tmp_path):
    path = _file(tmp_path, b"alice@contoso.example\nb\xf6b@contoso.example\n")
    text = str(pytest.raises(ConfigError, read_file, path).value)
    assert text == (
        f"{path}:line 2: byte 0xf6 is not valid UTF-8; save the file as UTF-8 (or UTF-16 with a byte-order mark)"
    )


def test_missing_file(tmp_path):
    assert "cannot read protected addresses file" in str(pytest.raises(ConfigError, read_file, tmp_path / "n").value)


@pytest.mark.parametrize("bad", ["x", "a@b", "a@@b.example", "a b@c.example", "a@-x.example", "a@x..example"])
def test_not_addresses(bad):
    assert normalize(bad) is None


def test_config_lists_are_checked_too():
    assert check_list(["A@X.example", "a@x.example"], "etd.toml: protection.addresses") == ("a@x.example",)
    with pytest.raises(ConfigError, match=r"protection.addresses\[1\] 'nobody' is not an e-mail address"):
        check_list(["a@x.example", "nobody"], "etd.toml: protection.addresses")


def test_graph_side_compares_in_the_same_form():
    user = {"mail": "User@xn--bcher-kva.de", "proxyAddresses": ["SMTP:Other@Contoso.example", "X500:/o=x"]}
    assert user_addresses(user) == {"user@bücher.de", "other@contoso.example"}
    assert canonical("a@contoso.example") == "a@contoso.example"


def test_an_internationalised_verified_domain_protects_its_users_in_either_form():
    org = {"verifiedDomains": [{"name": "xn--bcher-kva.de"}]}
    domains = protected_domains([], org)
    assert domains == ("bücher.de",)
    assert is_protected(
        {"userPrincipalName": "anna@bücher.de", "mail": "anna@bücher.de", "userType": "Member"}, domains
    )
    assert is_protected(
        {"userPrincipalName": "x@y.example", "mail": "Anna@XN--BCHER-KVA.DE", "userType": "Member"}, domains
    )
    assert protected_domains(["BÜCHER.de"], None) == ("bücher.de",)
