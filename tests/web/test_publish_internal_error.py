"""A fault while reading an upload is the service's (500, internal-error), not the file's (422)."""

from __future__ import annotations

from openbook.store import Book
from openbook.store.tokens import create_token, publication_log

SPEND = "Body,Date,Supplier,Amount\nTrafford Council,01/04/2024,Acme Ltd,100.00\n"


def test_an_upload_that_makes_the_reader_fail_is_answered_500_and_recorded(client, monkeypatch):
    import openbook.ingest.pipeline as pipeline

    def failing(*args, **kwargs):
        raise RuntimeError("reader fault")

    monkeypatch.setattr(pipeline, "iter_csv", failing)
    with Book(client.app.state.book_path) as writer:
        token = create_token(writer, "Trafford Council")
    book = client.app.state.book
    response = client.post("/api/v1/publish", data={"org": "Trafford Council"},
                           files={"file": ("may.csv", SPEND.encode(), "text/csv")},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert "internal-error" in response.text and "RuntimeError: reader fault" in response.text
    assert publication_log(book, "GB-LAE-TRF")[0]["status"] == "rejected"
    assert book.query("SELECT rejection_code FROM source WHERE file_name = 'may.csv'") == [("internal-error",)]
