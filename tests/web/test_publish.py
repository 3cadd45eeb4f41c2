"""Publishing: a body's token writes that body's rows and nothing else; every attempt is logged."""

from __future__ import annotations

from openbook.store import Book
from openbook.store.tokens import create_token, publication_log, revoke_token

SPEND = ("Body,Date,Supplier,Amount\n"
         "Trafford Council,01/04/2024,Acme Ltd,100.00\n"
         "Trafford Council,02/04/2024,Beta Ltd,=2+3\n")


def _post(client, token, org="Trafford Council", text=SPEND, name="april.csv"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/publish", data={"org": org}, files={"file": (name, text.encode(), "text/csv")},
                       headers=headers)


def _token(client, org: str) -> str:
    """A token made as `openbook token create` makes it: by another writer of the book, while the server runs."""
    with Book(client.app.state.book_path) as writer:
        return create_token(writer, org)


def _spend_rows(client):
    return client.get("/api/v1/spend", params={"limit": 1000}).json()["count"]


def test_a_token_publishes_for_its_body_through_the_same_pipeline(client):
    book = client.app.state.book
    token = _token(client, "Trafford Council")
    before = _spend_rows(client)
    response = _post(client, token)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["status"], report["rows_read"], report["accepted"], report["quarantined"]) == ("loaded", 3, 1, 1)
    assert report["reconciles"] and report["problems"][0]["code"] == "amount-not-a-number"
    assert _spend_rows(client) == before + 1
    assert _post(client, token).json()["status"] == "unchanged"
    log = publication_log(book, "GB-LAE-TRF")
    assert [row["status"] for row in log] == ["unchanged", "loaded"]


def _written(client) -> tuple:
    """What a publication would change: the files, rows and problems in the book, and the uploads kept."""
    book = client.app.state.book
    counts = book.query("SELECT (SELECT count(*) FROM source), (SELECT count(*) FROM spend), "
                        "(SELECT count(*) FROM quarantine)")[0]
    published = book.path.parent / "published"
    return counts, sorted(p.name for p in published.rglob("*")) if published.exists() else []


def test_no_token_a_wrong_token_or_a_revoked_one_writes_nothing(client):
    before = _written(client)
    token = _token(client, "Trafford Council")
    token_id = token.split("_")[1]
    other = _token(client, "Manchester City Council")
    attempts = [
        (None, 401, "unauthorised"),                                  # no token
        ("obk_nope_nope", 401, "unauthorised"),                       # not a token
        (f"obk_{token_id}_not-its-secret", 401, "unauthorised"),      # a real token's id, the wrong secret
        (other, 403, "forbidden"),                                    # another body's token
    ]
    for presented, status, code in attempts:
        response = _post(client, presented)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), presented
    basic = client.post("/api/v1/publish", data={"org": "Trafford Council"}, headers={"Authorization": "Basic eDp5"},
                        files={"file": ("april.csv", SPEND.encode(), "text/csv")})
    assert basic.status_code == 401
    with Book(client.app.state.book_path) as writer:
        revoke_token(writer, token_id)
    assert _post(client, token).status_code == 401
    assert _written(client) == before
    # Every refused attempt is in the log, and nothing else is (a refusal publishes no read copy:
    # a CLI read finds the copy older than the book and reads the book itself).
    with Book(client.app.state.book_path, read_only=True) as reading:
        log = publication_log(reading)
    assert len(log) == len(attempts) + 2 and {row["status"] for row in log} == {"refused"}
    assert all(row["sha256"] is None and row["rows_accepted"] is None for row in log)


def test_a_file_naming_another_body_is_refused_whole(client):
    book = client.app.state.book
    token = _token(client, "Trafford Council")
    before = _spend_rows(client)
    mixed = SPEND + "Manchester City Council,03/04/2024,Gamma Ltd,50.00\n"
    response = _post(client, token, text=mixed, name="mixed.csv")
    assert response.status_code == 403 and "other bodies" in response.json()["error"]["message"]
    assert _spend_rows(client) == before


def test_answers_kept_for_the_book_change_when_a_body_publishes(client):
    from decimal import Decimal

    book = client.app.state.book
    url = "/api/v1/aggregates/spend?by=org_id"
    before = client.get(url)
    again = client.get(url)
    assert again.headers.get("x-openbook-cache") == "hit" and again.json() == before.json()
    assert client.get(url, headers={"Cache-Control": "no-cache"}).headers.get("x-openbook-cache") is None
    assert _post(client, _token(client, "Trafford Council")).status_code == 200
    after = client.get(url)
    assert after.headers.get("x-openbook-cache") is None

    def trafford(response):
        return sum(Decimal(r["total_gbp"]) for r in response.json()["rows"] if r["org_id"] == "GB-LAE-TRF")

    assert trafford(after) - trafford(before) == Decimal("100.00")


def test_pages_are_kept_for_the_book_and_downloads_never(client):
    """A page is computed once per book version: asked again it is replayed byte for byte, and
    after a body publishes it is computed again with the new line in it."""
    book = client.app.state.book
    first, again = client.get("/bodies/GB-LAE-TRF"), client.get("/bodies/GB-LAE-TRF")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert again.headers.get("x-openbook-cache") == "hit" and again.content == first.content
    download = "/bodies/GB-LAE-TRF?table=functions&format=csv"
    assert client.get(download).status_code == 200
    assert client.get(download).headers.get("x-openbook-cache") is None
    assert _post(client, _token(client, "Trafford Council")).status_code == 200
    after = client.get("/bodies/GB-LAE-TRF")
    assert after.headers.get("x-openbook-cache") is None and after.content != first.content


def _multipart(size: int, consumed: list[int]):
    """A multipart upload of `size` bytes of CSV, as a stream that records how much was read."""
    boundary = "obkboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="org"\r\n\r\nTrafford Council\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    line = b"Trafford Council,01/04/2024,Acme Ltd,100.00\n"

    def chunks():
        for piece in (head, b"Body,Date,Supplier,Amount\n", line * max(1, size // len(line)),
                      f"\r\n--{boundary}--\r\n".encode()):
            consumed.append(len(piece))
            yield piece

    return chunks(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_the_token_is_checked_before_the_upload_is_read(client):
    before = _written(client)
    consumed: list[int] = []
    body, headers = _multipart(4_000_000, consumed)
    response = client.post("/api/v1/publish", content=body, headers={**headers, "Authorization": "Bearer obk_x_y"})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "unauthorised")
    assert consumed == []  # not a byte of the upload was read
    assert _written(client) == before
    with Book(client.app.state.book_path, read_only=True) as reading:  # a refusal publishes no read copy
        assert [row["status"] for row in publication_log(reading)] == ["refused"]


def test_an_upload_over_the_limit_is_refused_with_413_declared_or_streamed(client, monkeypatch):
    from openbook.web import publish

    token = _token(client, "Trafford Council")
    monkeypatch.setattr(publish, "MAX_UPLOAD_BYTES", 1_000_000)
    before = _written(client)
    declared = client.post("/api/v1/publish", data={"org": "Trafford Council"}, headers={
        "Authorization": f"Bearer {token}"}, files={"file": ("big.csv", SPEND.encode() * 40_000, "text/csv")})
    assert (declared.status_code, declared.json()["error"]["code"]) == (413, "too-large")
    consumed: list[int] = []
    body, headers = _multipart(3_000_000, consumed)  # sent chunked: no Content-Length to refuse up front
    streamed = client.post("/api/v1/publish", content=body, headers={**headers, "Authorization": f"Bearer {token}"})
    assert (streamed.status_code, streamed.json()["error"]["code"]) == (413, "too-large")
    assert _written(client) == before
    small = _post(client, token)
    assert small.status_code == 200 and small.json()["status"] == "loaded"
