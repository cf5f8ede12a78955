"""Exports a sentence-transformers model's transformer to ONNX, in a child process.

`python -m ideation.analysis.onnx_export MODEL_DIR OUT_DIR` loads the model with
torch, checks it is the usual stack (a `Transformer` with a `tokenizer.json`, mean
`Pooling`, optionally `Normalize`), and writes `OUT_DIR/model.onnx` and
`OUT_DIR/meta.json`: the input names, the maximum sequence length, and torch's own
vectors for `PROBES`, against which the ONNX encoder is checked on every load.
It runs in a child so the process that embeds never imports torch: about 430 MB
and 8 s less (see `onnx_encoder`). Exit code 3: not the usual stack, nothing written.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Texts whose vectors torch and ONNX Runtime must agree on: padding, truncation
#: past the model's length, accents, emoji, whitespace, a batch of mixed lengths.
PROBES = (
    "use it as a doorstop",
    "  A mug with a timer that says when the tea is ready.  ",
    "Tasse à café qui garde la chaleur ☕",
    "🙂",
    "a pen holder, so the kids stop losing their pencils " * 40,
)
#: The exit code that means "not a model this exporter reproduces".
UNSUPPORTED = 3


def usual_stack(model: Any) -> bool:
    """Transformer, mean pooling, and an optional Normalize: nothing else to reproduce."""
    names = [type(module).__name__ for module in model]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    mode = model[1].pooling_mode
    return (mode if isinstance(mode, str) else tuple(mode)) in ("mean", ("mean",))


def export(model_dir: Path, out_dir: Path) -> bool:
    """Writes the model's ONNX file and meta into `out_dir`; False when it is not the
    usual stack (then nothing is written)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    if not usual_stack(model) or not (model_dir / "tokenizer.json").is_file():
        return False
    probes = list(PROBES)
    features = model.preprocess(probes)
    inputs = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in features]
    transformer = model[0].auto_model

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(inputs, tensors, strict=True))).last_hidden_state

    out_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the exporter's tracer warnings are not ours
        torch.onnx.export(
            LastHidden().eval(),
            tuple(features[name] for name in inputs),
            str(out_dir / "model.onnx"),
            input_names=inputs,
            output_names=["hidden"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*inputs, "hidden")},
            opset_version=17,
            dynamo=False,
        )
    vectors = model.encode(probes, normalize_embeddings=True, convert_to_numpy=True)
    meta = {
        "inputs": inputs,
        "max_seq_length": int(model.max_seq_length),
        "probes": probes,
        "vectors": vectors.tolist(),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return True


def main(argv: Sequence[str]) -> int:
    from ideation.analysis.embed import quiet_offline_environment

    quiet_offline_environment()
    model_dir, out_dir = Path(argv[0]), Path(argv[1])
    with contextlib.redirect_stdout(io.StringIO()):
        return 0 if export(model_dir, out_dir) else UNSUPPORTED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
