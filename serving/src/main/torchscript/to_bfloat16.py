# Writes serving/src/main/resources/io/streamlearn/serving/model/to_bfloat16.pt, the TorchScript module that
# `serve --precision bfloat16` casts with (Bfloat16Cast.java says why DJL needs it). The file is committed; run
# this only to change the module: /usr/bin/python3 serving/src/main/torchscript/to_bfloat16.py (Debian's
# python3-torch; any torch >= 1.10 writes a file libtorch 2.7 loads).
import pathlib

import torch


class ToBfloat16(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16)


out = pathlib.Path(__file__).resolve().parents[1] / "resources/io/streamlearn/serving/model/to_bfloat16.pt"
torch.jit.script(ToBfloat16()).save(str(out))
print(out)
