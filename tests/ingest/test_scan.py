"""The one-pass file scan agrees with a plain Python reading of the same bytes, across chunks."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.ingest import scan as scan_module
from openbook.ingest.scan import scan_file

LINES = st.lists(st.text(alphabet='ab,"£ ', max_size=12), max_size=30)


@settings(max_examples=80, deadline=None)
@given(lines=LINES, crlf=st.booleans(), final_newline=st.booleans(), chunk=st.integers(1, 16))
def test_scan_matches_a_line_by_line_reading(tmp_path_factory, lines, crlf, final_newline, chunk):
    ending = "\r\n" if crlf else "\n"
    text = ending.join(lines) + (ending if final_newline and lines else "")
    data = text.encode("utf-8")
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    original = scan_module._CHUNK
    scan_module._CHUNK = chunk
    try:
        result = scan_file(path)
    finally:
        scan_module._CHUNK = original
    physical = data.split(b"\n")
    if physical and physical[-1] == b"":
        physical = physical[:-1]
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    assert result.lines == len(physical)
    assert result.quoted_line_breaks == any(line.count(b'"') % 2 for line in physical)
    assert result.utf8 and not result.bom


def test_encodings_and_old_mac_line_endings(tmp_path):
    cp1252 = tmp_path / "a.csv"
    cp1252.write_bytes("Amount\n£5\n".encode("cp1252"))
    assert scan_file(cp1252).encoding is None
    bom = tmp_path / "b.csv"
    bom.write_bytes("\ufeffAmount\n5\n".encode("utf-8"))
    assert scan_file(bom).encoding == "utf-8-sig"
    mac = tmp_path / "c.csv"
    mac.write_bytes(b"Amount\r5\r")
    assert not scan_file(mac).one_line_one_row
