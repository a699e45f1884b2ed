"""Citations in Slack are links to the web page (``<url|[n] document › section>``) and every
cited source is shown, however many there are."""

from __future__ import annotations

import re

import pytest

from assistant.models import Citation
from bots.slack.blocks import MAX_BLOCKS, answer_blocks, source_blocks
from tests.fake_slack import FakeSlack, ScriptedAsk, answers, blocks_text, mention, slack_client

PUBLIC = "https://audit.example.org"


def _citations(n: int) -> list[Citation]:
    out = []
    for i in range(1, n + 1):
        if i % 5 == 0:
            out.append(Citation(marker=i, kind="clause", clause_id=f"8.{i}", title=f"Clause title {i}"))
        else:
            out.append(
                Citation(
                    marker=i,
                    kind="document",
                    document=f"policies/doc-{i}.md",
                    section=f"Section {i}",
                    chunk_id=f"chunk/{i}",
                    quote=f"Quoted sentence {i}.",
                )
            )
    return out


def _links(blocks: list[dict]) -> list[tuple[str, str]]:
    text = "\n".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    return re.findall(r"<([^|>]+)\|([^>]+)>", text)


def test_every_source_of_fifteen_is_a_link_to_the_web_page():
    from assistant.models import Answer, Intent

    answer = Answer(
        question="q", workspace="acme", intent=Intent.GENERAL, text="See [1]…[15].", citations=_citations(15)
    )
    _, blocks = answer_blocks(answer, "fb-1", PUBLIC + "/")
    links = _links(blocks)
    assert [label.split("]")[0] + "]" for _, label in links] == [f"[{i}]" for i in range(1, 16)]
    assert (f"{PUBLIC}/#passage=chunk%2F1", "[1] policies/doc-1.md › Section 1") in links
    assert (f"{PUBLIC}/#clause=8.5", "[5] clause 8.5 Clause title 5") in links
    assert all(len(b["elements"]) <= 10 for b in blocks if b["type"] == "context")
    assert blocks[-1]["type"] == "actions"  # the buttons are never cut off


def test_without_a_public_url_sources_are_plain_labels_and_none_is_dropped():
    blocks = source_blocks(_citations(12), "", 40)
    text = "\n".join(e["text"] for b in blocks for e in b["elements"])
    assert "<" not in text
    assert all(f"[{i}]" in text for i in range(1, 13))


def test_hundreds_of_sources_share_elements_within_slacks_block_limit():
    blocks = source_blocks(_citations(700), PUBLIC, MAX_BLOCKS - 2)
    assert len(blocks) <= MAX_BLOCKS - 2
    assert len(_links(blocks)) == 700


def test_document_names_cannot_inject_markup():
    cited = Citation(marker=1, kind="document", document="a<b>|c&d.md", section="x", chunk_id="k")
    [block] = source_blocks([cited], PUBLIC, 5)
    assert block["elements"][0]["text"] == f"<{PUBLIC}/#passage=k|[1] a&lt;b&gt;|c&amp;d.md › x>"


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.mark.integration
def test_an_answer_in_slack_links_all_its_sources(tmp_path, fake):
    slack = slack_client(tmp_path / "data", fake, ScriptedAsk(citations=_citations(15)), public_url=PUBLIC)
    slack.event(mention("Which documents cover change management?"))
    posted = fake.wait_for(answers)[0]
    links = _links(posted["blocks"])
    assert len(links) == 15 and all(url.startswith(PUBLIC + "/#") for url, _ in links)
    assert "Section 14" in blocks_text(posted)
