"""Encrypted PDFs: one that needs a password is refused with that reason; one with only an
owner password (anyone may open it) is read, AES included."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from ingest.loaders import load_document
from tests.builders import write_pdf

LIMIT = 10 * 1024 * 1024


def _encrypted(tmp_path: Path, algorithm: str, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(tmp_path / "plain.pdf", [["1 Change approval", "The CAB approves every normal change."]])
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    path = tmp_path / f"{algorithm}.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_a_pdf_that_needs_a_password_says_so(tmp_path: Path, algorithm: str):
    path = _encrypted(tmp_path, algorithm, user_password="x")
    with pytest.raises(IngestError) as refused:
        load_document(path, LIMIT)
    assert str(refused.value).startswith("encrypted PDF:")
    assert "needs a password" in str(refused.value)
    assert "corrupt" not in str(refused.value) and "DependencyError" not in str(refused.value)


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_a_pdf_with_only_an_owner_password_is_read(tmp_path: Path, algorithm: str):
    doc, _ = load_document(_encrypted(tmp_path, algorithm, user_password=""), LIMIT)
    assert "The CAB approves every normal change." in doc.text
