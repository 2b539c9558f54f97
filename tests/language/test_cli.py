"""`ordstyrer triage --preset ID [FILE|-]` (JSON lines in, JSON lines out)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ordstyrer.cli import main


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, stdin: str, *args: str):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["triage", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_triage_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": "a", "text": "Når åpner biblioteket igjen?"}),
            "dette er ikke json",
            json.dumps({"id": "c", "text": "Ring meg på 91234567", "post_text": "Ny lege"}),
            json.dumps({"id": "d"}),
            json.dumps(["ikke", "et", "objekt"]),
        ]
    )
    code, lines, err = run(monkeypatch, capsys, stdin, "--preset", "rennebu", "-")
    assert code == 1 and "3 av 5 linjer feilet" in err  # issue #18: failures are not success
    assert [line.get("id") for line in lines] == ["a", None, "c", "d", None]
    first = lines[0]
    assert first["category"] == "question"
    assert first["action"] == "answer"
    assert first["language"] == "nb"
    assert set(first) >= {"id", "category", "categories", "language", "pii", "action",
                          "grounds", "hate_ground", "findings"}  # fmt: skip
    assert "error" in lines[1] and "error" in lines[3] and "error" in lines[4]
    assert lines[2]["pii"][0]["type"] == "phone"
    assert lines[2]["pii"][0]["span"] == [12, 20]


def test_triage_file(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "Takk for flott jobb!"}) + "\n", "utf-8")
    code, lines, _ = run(monkeypatch, capsys, "", "--preset", "gausdal", str(path))
    assert code == 0 and lines[0]["action"] == "thank"


@pytest.mark.parametrize(
    "args",
    [("--preset", "oslo", "-"), ("--preset", "rennebu", "/finnes/ikke.jsonl"), ()],
)
def test_bad_arguments_exit_2(monkeypatch, capsys, args: tuple[str, ...]) -> None:  # noqa: ANN001
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as exc:
        code = main(["triage", *args])
        raise SystemExit(code)
    assert exc.value.code == 2


def test_embeddings_flag_reads_every_comment_again(monkeypatch, capsys) -> None:  # noqa: ANN001
    """--embeddings runs the cascade: every comment is also read by the shipped reading
    model (`language.cascade`), its scores mixed with the fast path's."""
    from ordstyrer.language import cascade
    from ordstyrer.language.classify import classify

    texts = ["Dette var dårlig gjort av kommunen", "Takk for flott jobb!"]
    stdin = "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(texts))
    code, lines, _ = run(monkeypatch, capsys, stdin, "--preset", "rennebu", "--embeddings", "-")
    assert code == 0
    expected = classify(texts, cascade=cascade.load_reader())
    assert [line["categories"] for line in lines] == expected
    fast = classify(texts)
    assert all(e != f for e, f in zip(expected, fast, strict=True))  # both read again


def test_embeddings_without_the_reading_model_is_a_usage_error(  # noqa: ANN201
    monkeypatch,
    capsys,
    tmp_path,  # noqa: ANN001
):
    from ordstyrer.language import cascade

    monkeypatch.setattr(cascade, "READER", tmp_path / "reader.npz")
    stdin = json.dumps({"id": 1, "text": "hei"})
    code, lines, err = run(monkeypatch, capsys, stdin, "--preset", "rennebu", "--embeddings", "-")
    assert code == 2 and lines == []
    assert "lesemodellen reader.npz mangler" in err and "Traceback" not in err
