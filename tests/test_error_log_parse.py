"""ETD's error log as files come: header names and synonyms, delimiters, encodings, plain lists, bad rows (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etd_readiness.error_log import ErrorLogError, normalise_message_id, read_error_log


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "header",
    [
        "Recipient,Message-ID,Remediation Error,Timestamp",
        "mailbox;internet message id;status;date",
        "EMAIL\tMessageId\tReason\tTime",
        "User Address,Internet_Message_Id,Error,Date Time",
    ],
)
def test_columns_are_found_by_name_case_space_and_punctuation_insensitive(tmp_path, header):
    delimiter = next(d for d in (";", "\t", ",") if d in header)
    row = delimiter.join(["Bob@Contoso.example", "<m-1@x.example>", "Resource is not found", "2026-12-01"])
    (got,) = read_error_log(_write(tmp_path, f"{header}\n{row}\n"))
    assert (got.mailbox, got.message_id, got.error, got.time, got.line) == (
        "bob@contoso.example",
        "<m-1@x.example>",
        "Resource is not found",
        "2026-12-01",
        2,
    )


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_utf8_with_or_without_bom_and_utf16_as_excel_saves_it(tmp_path, encoding, prefix):
    text = "Recipient\tMessage ID\tError\r\nzoë@contoso.example\t<α@x.example>\tRemediation Failed. Unknown Reason.\r\n"
    path = tmp_path / "log.txt"
    path.write_bytes(prefix + text.encode(encoding))
    (got,) = read_error_log(path)
    assert got.mailbox == "zoë@contoso.example" and got.message_id == "<α@x.example>"


def test_extra_columns_are_ignored_and_quoted_cells_keep_their_commas(tmp_path):
    text = 'Subject,Recipient,Sender,Error\n"Hello, world",a@x.example,s@y.example,"inactive, soft-deleted"\n'
    (got,) = read_error_log(_write(tmp_path, text))
    assert (got.mailbox, got.error, got.message_id) == ("a@x.example", "inactive, soft-deleted", "")


def test_message_ids_with_or_without_angle_brackets_are_the_same_id():
    assert normalise_message_id("abc@x.example") == normalise_message_id("<abc@x.example>") == "<abc@x.example>"
    assert normalise_message_id("  ") == ""


def test_a_plain_list_of_addresses_is_accepted(tmp_path):
    rows = read_error_log(
        _write(tmp_path, "# copied from ETD's mailbox list\na@x.example\n\nB@x.example\nnot an address\n")
    )
    assert [(r.line, r.mailbox, r.problem) for r in rows] == [
        (2, "a@x.example", ""),
        (4, "b@x.example", ""),
        (5, "not an address", "'not an address' is not an e-mail address"),
    ]


def test_no_mailbox_column_is_one_error_naming_the_headers_found(tmp_path):
    with pytest.raises(ErrorLogError, match=r"no mailbox column \(headers found: 'Sender', 'Subject'\)"):
        read_error_log(_write(tmp_path, "Sender,Subject\ns@x.example,hi\n"))


def test_bad_rows_keep_their_line_number_and_the_rest_is_judged(tmp_path):
    text = "Recipient,Error\na@x.example,x\n,empty\n\nghost@x, dave@x,junk\nok@x.example,y\n"
    rows = read_error_log(_write(tmp_path, text))
    assert [(r.line, r.problem) for r in rows] == [
        (2, ""),
        (3, "the mailbox cell is empty"),
        (5, "'ghost@x' is not an e-mail address"),
        (6, ""),
    ]


def test_unreadable_bytes_and_empty_files_are_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Recipient\nb\xe9@x.example\n")
    with pytest.raises(ErrorLogError, match=r"line 2 is not UTF-8 or UTF-16 text; save it again as 'CSV UTF-8'"):
        read_error_log(bad)
    with pytest.raises(ErrorLogError, match="is empty"):
        read_error_log(_write(tmp_path, "\n\n", name="empty.csv"))
    with pytest.raises(ErrorLogError, match="cannot read error log"):
        read_error_log(tmp_path / "missing.csv")


def test_a_one_column_csv_with_its_header_is_not_a_plain_list(tmp_path):
    rows = read_error_log(_write(tmp_path, "Recipient\nalice@x.example\n"))
    assert [(r.line, r.mailbox, r.problem) for r in rows] == [(2, "alice@x.example", "")]
