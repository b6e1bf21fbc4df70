#!/usr/bin/env python3
"""PyTorch reference for bench/gpu.sh (GpuBench) and bench/trainer.sh (TrainerBench): the network of the mlp spec
(uint8 pixels scaled by 1/255 on the device, 784-256-256-10, ReLU) or of the lenet5 spec (1x28x28: conv 6@5x5 pad 2,
ReLU, max pool 2, conv 16@5x5, ReLU, max pool 2, dense 120-84-10 with ReLU), softmax cross-entropy, Adam, and
the trainer's test-then-train step: one forward pass over the batch, predictions and the loss read back to the
host, backward, step. Each batch is copied from host memory to the device per step, as OnlineLearner does.

Usage: gpu_torch.py DATA N FEATURES BATCH LR DEVICE ROUNDS WARMUP_BATCHES THREADS [NET]
DATA holds N*FEATURES uint8 pixels, then N uint8 labels; NET is mlp (the default) or lenet5. Details go to
stderr; the last stdout line is one examples/s figure per round. Exit code 3 when DEVICE is a CUDA device this
torch cannot use, 2 for a NET it does not know.
"""
import sys
import time

import torch


def main():
    path, n, f, b, lr, device, rounds, warm_up, threads = sys.argv[1:10]
    net_name = sys.argv[10] if len(sys.argv) > 10 else "mlp"
    n, f, b, rounds, warm_up, threads = int(n), int(f), int(b), int(rounds), int(warm_up), int(threads)
    if device.startswith("cuda") and not torch.cuda.is_available():
        print(f"gpu-torch: torch {torch.__version__} has no usable CUDA; DJL is on {device}, so no comparison",
              file=sys.stderr)
        sys.exit(3)
    # The same libtorch thread count as DJL (EngineThreads): on a small host more threads oversubscribe.
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    with open(path, "rb") as fh:
        raw = bytearray(fh.read())
    x = torch.frombuffer(raw, dtype=torch.uint8, count=n * f).view(n, f)
    y = torch.frombuffer(raw, dtype=torch.uint8, count=n, offset=n * f).long()
    if device.startswith("cuda"):
        # Pinned host memory is what DJL's direct buffers amount to: one DMA copy per batch.
        x, y = x.pin_memory(), y.pin_memory()
    dev = torch.device(device)
    nn = torch.nn
    if net_name == "mlp":
        net = nn.Sequential(nn.Linear(f, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    elif net_name == "lenet5" and f == 784:
        net = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
                            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    else:
        print(f"gpu-torch: no PyTorch network for {net_name} with {f} features (knows mlp, lenet5 on 784)",
              file=sys.stderr)
        sys.exit(2)
    net = net.to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=float(lr))
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = n // b

    def step(i):
        xb = x[i * b:(i + 1) * b].to(dev, non_blocking=True).float().mul_(1.0 / 255)
        yb = y[i * b:(i + 1) * b].to(dev, non_blocking=True)
        out = net(xb)
        out.argmax(1).cpu()  # the prequential predictions, read back as OnlineLearner does
        loss = loss_fn(out, yb)
        if torch.isfinite(loss).item():  # OnlineLearner reads the loss back to decide whether to step
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    for k in range(warm_up):
        step(k % batches)
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(batches):
            step(i)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        rates.append(batches * b / (time.perf_counter() - start))
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    print(f"gpu-torch: torch {torch.__version__}, {net_name} on {device} ({name}), {threads} thread(s): "
          + " ".join(f"{r:.0f}" for r in rates) + " examples/s", file=sys.stderr)
    print(" ".join(f"{r:.1f}" for r in rates))


if __name__ == "__main__":
    main()
