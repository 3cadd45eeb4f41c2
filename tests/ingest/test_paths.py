"""Which files a command line names, and in which order ingest reads them."""

from __future__ import annotations

import pytest

from openbook.errors import UsageError
from openbook.ingest.paths import expand_paths


def test_folders_globs_and_files_give_each_file_once_organisation_registers_first(tmp_path):
    for name in ("spend/b/2024-02.csv", "spend/a/2024-01.xlsx", "spend/notes.pdf", "organisations.csv",
                 "other/Organisation-register.tsv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = expand_paths([str(tmp_path / "spend"), str(tmp_path / "spend" / "*" / "*.csv"),
                          str(tmp_path / "other" / "*.tsv"), str(tmp_path / "organisations.csv")])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "organisations.csv", "other/Organisation-register.tsv", "spend/a/2024-01.xlsx", "spend/b/2024-02.csv"]


def test_a_pattern_matching_nothing_is_a_usage_error_naming_it(tmp_path):
    with pytest.raises(UsageError, match=r"no file matches '.*missing-\*\.csv'"):
        expand_paths([str(tmp_path / "missing-*.csv")])
