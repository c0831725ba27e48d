#!/usr/bin/env python3
"""PyTorch CPU peer for bench/exec_bench.cpp: times the seed network's float module (same
shapes: conv3x3 3->64, 3 x conv3x3 64->64, conv1x1 64->16, SiLU after each, x300, global
average pool, linear 16->2) on a 1x3x224x224 input, with the same thread count as mlscope
(mlscope's kernel threads = the CPUs this process may use; override with --threads N). Weights are random (timing does not depend on their values).
Needs Debian's python3-torch (scripts/setup-bench.sh). Prints median seconds per run."""
import os
import statistics
import sys
import time

try:
    import torch
except ImportError:
    sys.exit("torch_peer: python3-torch is not installed (run scripts/setup-bench.sh)")

torch.manual_seed(1234)


class Seed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = torch.nn.ModuleList([torch.nn.Conv2d(3, 64, 3, padding=1)] +
                                         [torch.nn.Conv2d(64, 64, 3, padding=1) for _ in range(3)] +
                                         [torch.nn.Conv2d(64, 16, 1)])
        self.fc = torch.nn.Linear(16, 2)

    def forward(self, x):
        for c in self.convs:
            x = torch.nn.functional.silu(c(x))
        x = (x * 300.0).mean(dim=(2, 3))
        return self.fc(x)


def main():
    args = sys.argv[1:]
    threads = len(os.sched_getaffinity(0))
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        del args[i:i + 2]
    torch.set_num_threads(threads)
    m = Seed().eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        m(x)
        times = []
        for _ in range(int(args[0]) if args else 5):
            t = time.perf_counter()
            m(x)
            times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} median {med * 1e3:.1f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
