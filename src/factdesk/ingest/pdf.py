"""PDF files: text in reading order through pdfminer's layout analysis, one offset per page.

Layout analysis groups characters into lines and lines into text boxes, then orders the
boxes so that a multi-column page reads column by column. Each box becomes one paragraph
(its lines joined by spaces); pages are separated by a blank line and ``Source.pages``
records where each page starts in the text.
"""

from __future__ import annotations

import io
import re

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTTextContainer
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFTextExtractionNotAllowed
from pdfminer.pdfparser import PDFParser
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text

from factdesk.ingest.common import IngestError, split_authors
from factdesk.model import Source

# Titles that PDF producers fill in by themselves and that name no document.
_PLACEHOLDER_TITLE = re.compile(r"^(untitled|microsoft (word|powerpoint) - .*|.*\.(docx?|pptx?|pdf))$", re.I)


def parse(data: bytes) -> Source:
    if b"%PDF-" not in data[:1024]:
        raise IngestError("not a PDF (no %PDF header)")
    try:
        info = _document_info(data)
        pages = [_page_text(page) for page in extract_pages(io.BytesIO(data), laparams=LAParams())]
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise IngestError("encrypted PDF (needs a password)") from None
    except PDFTextExtractionNotAllowed:
        raise IngestError("PDF forbids text extraction") from None
    except (PSException, ValueError, KeyError, TypeError, AttributeError, AssertionError) as error:
        # pdfminer reports broken files through many exception types; none is the user's fault
        raise IngestError(f"corrupt PDF ({_reason(error)})") from None

    text, starts = "", []
    for page in pages:
        if text:
            text += "\n\n"
        starts.append(len(text))
        text += page
    if not text.strip():
        raise IngestError("no text in the PDF (a scanned image?)")
    title = info.get("Title")
    if not title or _PLACEHOLDER_TITLE.match(title):
        title = _first_line(text)
    return Source(text=text, title=title, authors=split_authors(info.get("Author")), pages=starts)


def _document_info(data: bytes) -> dict[str, str]:
    """The document information dictionary (Title, Author, ...) as strings."""
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    info: dict[str, str] = {}
    for entry in document.info:
        for key, value in entry.items():
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip():
                info.setdefault(key, value.strip())
    return info


def _page_text(page) -> str:
    paragraphs = []
    for element in page:
        if isinstance(element, LTTextContainer):
            lines = [line.strip() for line in element.get_text().splitlines()]
            paragraph = ""
            for line in filter(None, lines):
                # a line broken after a hyphen continues the word ("well-" + "known")
                joiner = "" if not paragraph or paragraph.endswith("-") else " "
                paragraph += joiner + line
            if paragraph:
                paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip()
    return line if 0 < len(line) <= 200 else None


def _reason(error: Exception) -> str:
    """pdfminer's message cut to one short clause ("No /Root object! - Is this ..." -> "No /Root object")."""
    message = re.split(r"[!?\n]| - ", str(error).strip(), maxsplit=1)[0].strip()
    return message[:100] or type(error).__name__
