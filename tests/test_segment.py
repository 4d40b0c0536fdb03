import random

import pytest

from factdesk.segment import segment


def texts(text: str) -> list[str]:
    return [s.text for s in segment(text, "src")]


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. agency said on Sept. 28, 2024, 9:30 AM EDT that 7.5 million people were waiting.",
        "Rep. Tony Gonzales asked the agency for its list of 435,719 case files.",
        "Lt. Gen. Smith met Dr. Ortiz of Acme Inc. in St. Louis on Tuesday.",
        "Acting director P.J. Lechleitner signed letter No. 5 in the spring.",
        "The hearing ran from 9 a.m. until noon in the case of Ruiz vs. Hale.",
        "Counts rose by approx. 12% between Jan. 3 and Dec. 14 of last year.",
        "“I told you so,” Trump said.",
    ],
)
def test_no_split_inside_abbreviations_numbers_and_quotes(sentence):
    assert texts(f"{sentence} A second sentence follows here.") == [
        sentence,
        "A second sentence follows here.",
    ]


def test_closing_quote_stays_with_its_sentence_and_short_attribution_joins_it():
    assert texts("“We counted them all.” The mayor said. Then the session ended.") == [
        "“We counted them all.” The mayor said.",
        "Then the session ended.",
    ]
    assert texts('She wrote: "The list is long." Later she left.') == [
        'She wrote: "The list is long."',
        "Later she left.",
    ]


def test_layout_lines_are_their_own_units():
    page = (
        "Border Numbers Explained\n"
        "By Ann Lee and Bo de Vries\n"
        "Sept. 28, 2024, 9:30 AM EDT\n"
        "The agency counted the files in July\n"
        "ADVERTISING\n"
        "The count was later revised.\n"
        "02:25\n"
        "Officials listed three reasons:\n"
        "- staffing was short\n"
        "* records were old\n"
        "• courts were slow\n"
        "1. the first step\n"
        "2. the second step\n"
        "\n"
        "A new paragraph without a period\n"
        "\n"
        "Another paragraph. — Photo: Jane Roe / Getty Images"
    )
    assert texts(page) == [
        "Border Numbers Explained",
        "By Ann Lee and Bo de Vries",
        "Sept. 28, 2024, 9:30 AM EDT",
        "The agency counted the files in July",
        "ADVERTISING",
        "The count was later revised.",
        "02:25",
        "Officials listed three reasons:",
        "- staffing was short",
        "* records were old",
        "• courts were slow",
        "1. the first step",
        "2. the second step",
        "A new paragraph without a period",
        "Another paragraph.",
        "— Photo: Jane Roe / Getty Images",
    ]


def test_hard_wrapped_prose_is_not_cut_at_line_ends():
    wrapped = (
        "The report counted files held by the\n"
        "agency on the last day of the month and\n"
        "Found that most were old cases that\n"
        "had waited for years. A second sentence."
    )
    result = texts(wrapped)
    assert len(result) == 2 and result[0].endswith("for years.")


def test_indexes_and_source_id():
    sentences = segment("  One. Two three.\n\nFour!  ", "abc")
    assert [(s.index, s.source_id, s.text) for s in sentences] == [
        (0, "abc", "One."),
        (1, "abc", "Two three."),
        (2, "abc", "Four!"),
    ]
    assert segment("", "abc") == [] and segment(" \n\n \t", "abc") == []


_PARTS = [
    "The U.S.", "Lt. Gen.", "Smith", "said", "7.5 million", "435,719", "“quoted,”", "he said.",
    "No. 5", "Dr.", "a.m.", "?", "!", ".", "\n", "\n\n", "  ", "\t", "- item", "ADVERTISING",
    "02:25", "By Ann Lee", "é", "字", "’", '"', "…", "Sept. 28, 2024,", "\r\n", "x" * 30,
]


def test_offsets_are_verbatim_for_random_texts():
    rng = random.Random(7)
    for _ in range(300):
        text = " ".join(rng.choice(_PARTS) for _ in range(rng.randint(0, 60)))
        sentences = segment(text, "r")
        previous_end = 0
        for i, s in enumerate(sentences):
            assert s.index == i
            assert text[s.start : s.end] == s.text
            assert s.text == s.text.strip() and s.text
            assert s.start >= previous_end
            previous_end = s.end
        # Every non-space character belongs to some sentence.
        covered = sum(len("".join(s.text.split())) for s in sentences)
        assert covered == len("".join(text.split()))


def test_a_megabyte_is_segmented_whole():
    # Speed is measured in bench/pipeline.py; here only that a long text loses nothing.
    paragraph = (
        "The U.S. agency said on Sept. 28, 2024, that 7.5 million cases were open. "
        "Rep. Tony Gonzales asked for the list. “It is long,” he said.\n"
        "ADVERTISING\n\n"
    )
    text = paragraph * (1_000_000 // len(paragraph))
    sentences = segment(text, "big")
    assert len(sentences) == 4 * (1_000_000 // len(paragraph))
    assert all(text[s.start:s.end] == s.text for s in sentences[:50])
