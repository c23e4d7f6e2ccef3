"""PyTorch dynamic int8 quantisation of the Linear layers, and its save format without pickle.

Dynamic quantisation stores each `nn.Linear` weight as int8 with one scale per
tensor and quantises activations on the fly, so matrix products run in int8
(fbgemm/onednn kernels) while everything else stays float32.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

QUANTISED_SUFFIX = "#int8"


def quantize_dynamic(model: nn.Module) -> nn.Module:
    """An int8 copy of `model` (its Linear layers); the float model is left unchanged."""
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao, which is not installed here;
        # the eager dynamic path still ships with torch 2.13 and is what we measure.
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(_clone(model), {nn.Linear}, dtype=torch.qint8)


def _clone(model: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(model).eval()


def linear_names(model: nn.Module) -> list[str]:
    """Names of the `nn.Linear` modules that `quantize_dynamic` converts."""
    return [name for name, module in model.named_modules() if type(module) is nn.Linear]


def int8_state(model: nn.Module) -> dict[str, np.ndarray]:
    """The float state with each Linear and Embedding weight replaced by int8 values and a float scale.

    Keys of a quantised weight `W` are `W#int8` (int8) and `W#scale` (float32,
    symmetric per-row scale); every other tensor is stored as float32. Embedding
    tables are stored in int8 too (they run in float after loading: dynamic
    quantisation covers matrix products, and a lookup is not one).
    """
    embeddings = [name for name, module in model.named_modules() if type(module) is nn.Embedding]
    quantised = {f"{name}.weight" for name in [*linear_names(model), *embeddings]}
    arrays: dict[str, np.ndarray] = {}
    for key, tensor in model.state_dict().items():
        value = tensor.detach().cpu().float().numpy()
        if key in quantised:
            scale = np.maximum(np.abs(value).max(axis=1, keepdims=True), 1e-12) / 127.0
            arrays[key + QUANTISED_SUFFIX] = np.clip(np.round(value / scale), -127, 127).astype(np.int8)
            arrays[key + "#scale"] = scale.astype(np.float32)
        else:
            arrays[key] = value
    return arrays


def float_state(arrays: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Inverse of `int8_state` (and identity on a plain float state): tensors for `load_state_dict`."""
    state: dict[str, torch.Tensor] = {}
    for key, value in arrays.items():
        if key.endswith("#scale"):
            continue
        if key.endswith(QUANTISED_SUFFIX):
            name = key[: -len(QUANTISED_SUFFIX)]
            state[name] = torch.from_numpy(value.astype(np.float32) * arrays[name + "#scale"])
        else:
            state[key] = torch.from_numpy(np.ascontiguousarray(value))
    return state


def directory_bytes(directory: Path) -> int:
    """Total size of the files under `directory`."""
    return sum(path.stat().st_size for path in Path(directory).rglob("*") if path.is_file())
