"""The packaged all-MiniLM-L6-v2 run on PyTorch without sentence-transformers or
transformers: a BERT encoder written out in torch, the ``tokenizers`` library, mean pooling
and unit length, which is all that model's sentence-transformers pipeline does.

Importing transformers (and, through sentence-transformers, scikit-learn and SciPy) costs
about 4 s of CPU before the first question can be embedded; torch alone about 1.6 s. The
weights, the tokenizer and the 256-token limit are the packaged model's own, so vectors
match sentence-transformers' to float rounding (``tests/test_torch_bert.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def load_encoder(model_dir: Path) -> tuple[Any, Any, int]:
    """``(model, tokenizer, dimension)`` for a sentence-transformers BERT folder with mean
    pooling (config.json, model.safetensors, tokenizer.json, sentence_bert_config.json)."""
    import torch
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    st_config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{model_dir} is not a mean-pooled BERT sentence encoder")
    model = _bert_class(torch)(config)
    state = load_file(str(model_dir / "model.safetensors"))
    state = {k: v for k, v in state.items() if not k.startswith("pooler.") and k != "embeddings.position_ids"}
    model.load_state_dict(state, strict=True)
    model.eval()
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(int(st_config["max_seq_length"]))
    tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)), pad_token="[PAD]")  # to the longest
    return model, tokenizer, int(config["hidden_size"])


def encode(model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int) -> np.ndarray:
    """Unit-length mean-pooled vectors; texts of similar length are batched together, as
    sentence-transformers does, so little is spent on padding."""
    import torch

    order = np.argsort([-len(t) for t in texts], kind="stable")
    out = np.empty((len(texts), model.hidden), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            picked = order[start : start + batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in picked])
            ids = torch.tensor([e.ids for e in encoded], dtype=torch.long)
            mask = torch.tensor([e.attention_mask for e in encoded], dtype=torch.long)
            hidden = model(ids, mask)
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            out[picked] = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
    return out


def _bert_class(torch: Any) -> type:
    """The encoder's modules, named as in the checkpoint so its state loads strictly."""
    nn, functional = torch.nn, torch.nn.functional

    class Embeddings(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c.get("pad_token_id", 0))
            self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
            self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
            self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

        def forward(self, ids: Any) -> Any:
            positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
            summed = self.word_embeddings(ids) + self.position_embeddings(positions)
            return self.LayerNorm(summed + self.token_type_embeddings(torch.zeros_like(ids)))

    class Dense(nn.Module):  # a dense layer, optionally followed by a residual LayerNorm
        def __init__(self, n_in: int, n_out: int, eps: float | None = None) -> None:
            super().__init__()
            self.dense = nn.Linear(n_in, n_out)
            if eps is not None:
                self.LayerNorm = nn.LayerNorm(n_out, eps=eps)

    class SelfAttention(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            h = c["hidden_size"]
            self.heads = c["num_attention_heads"]
            self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

        def forward(self, x: Any, bias: Any) -> Any:
            b, t, h = x.shape

            def split(layer: Any) -> Any:
                return layer(x).view(b, t, self.heads, h // self.heads).transpose(1, 2)

            ctx = functional.scaled_dot_product_attention(split(self.query), split(self.key), split(self.value), bias)
            return ctx.transpose(1, 2).reshape(b, t, h)

    class Attention(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            self.self = SelfAttention(c)
            self.output = Dense(c["hidden_size"], c["hidden_size"], c["layer_norm_eps"])

    class Layer(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            self.attention = Attention(c)
            self.intermediate = Dense(c["hidden_size"], c["intermediate_size"])
            self.output = Dense(c["intermediate_size"], c["hidden_size"], c["layer_norm_eps"])

        def forward(self, x: Any, bias: Any) -> Any:
            out = self.attention.output
            x = out.LayerNorm(out.dense(self.attention.self(x, bias)) + x)
            inner = functional.gelu(self.intermediate.dense(x))
            return self.output.LayerNorm(self.output.dense(inner) + x)

    class Encoder(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            self.layer = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))

    class Bert(nn.Module):
        def __init__(self, c: dict) -> None:
            super().__init__()
            if c.get("hidden_act", "gelu") != "gelu" or c.get("position_embedding_type", "absolute") != "absolute":
                raise ValueError("only BERT with GELU and absolute positions is supported")
            self.hidden = c["hidden_size"]
            self.embeddings = Embeddings(c)
            self.encoder = Encoder(c)

        def forward(self, ids: Any, mask: Any) -> Any:
            x = self.embeddings(ids)
            # padding is masked out of every attention: a large negative bias before softmax
            bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for layer in self.encoder.layer:
                x = layer(x, bias)
            return x

    return Bert
