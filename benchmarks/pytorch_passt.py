"""The authors' PaSST (their repository's models/passt.py) timed beside patchout's benchmarks.

Run by bench_patchout and bench_inference with --passt DIR; not meant to be run by hand, though it
can be:  python3 pytorch_passt.py MODE PASST_DIR PRECISION SIZES...

models/passt.py imports ba3l (the authors' experiment framework) and timm only for training scripts
and checkpoint downloads; empty modules stand in for both, so only torch is needed (Debian:
python3-torch).

MODE step: `steps` + 1 training steps (forward + multi-label loss + backward), in train mode with the
  given patchout; prints "median_s tokens rss_before_kb first_peak_kb steady_kb steady_peak_kb" as
  bench_patchout's children do (the peak restarted after the warm-up step: /proc/self/clear_refs).
MODE infer: `steps` forward passes of one window each (batch 1, eval, no_grad), after one warm-up;
  prints "seconds_total passes".
bf16 precision: torch.autocast("cpu", bfloat16) around the forward pass, as patchout's bf16 paths.
"""
import sys
import time
import types

USAGE = ("pytorch_passt.py step|infer PASST_DIR fp32|bf16 n_mels frames patch stride_f stride_t embed depth "
         "heads classes batch steps threads patchout_t patchout_f patchout_u distilled mlp_ratio")


def load_passt(passt_dir):
    class Ingredient:
        def __init__(self, *args, **kwargs):
            pass

        def add_config(self, *args, **kwargs):
            pass

        def command(self, function=None, **kwargs):
            return function if function else (lambda f: f)

    for name in ["ba3l", "ba3l.ingredients", "ba3l.ingredients.ingredient", "timm", "timm.models",
                 "timm.models._hub"]:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["ba3l.ingredients.ingredient"].Ingredient = Ingredient
    sys.modules["timm.models._hub"].download_cached_file = None
    sys.path.insert(0, passt_dir)
    from models import passt
    passt.first_RUN = False  # its first forward pass prints every shape
    return passt


def status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def main():
    if len(sys.argv) != 21 or sys.argv[1] not in ("step", "infer"):
        sys.exit(USAGE)
    mode, passt_dir, precision = sys.argv[1:4]
    (n_mels, frames, patch, stride_f, stride_t, embed, depth, heads, classes, batch, steps, threads,
     patchout_t, patchout_f, patchout_u, distilled) = map(int, sys.argv[4:20])
    mlp_ratio = float(sys.argv[20])
    import torch
    torch.set_num_threads(threads)
    passt = load_passt(passt_dir)
    model = passt.PaSST(img_size=(n_mels, frames), patch_size=patch, stride=(stride_f, stride_t), embed_dim=embed,
                        depth=depth, num_heads=heads, mlp_ratio=mlp_ratio, distilled=bool(distilled),
                        num_classes=classes, s_patchout_t=patchout_t, s_patchout_f=patchout_f,
                        u_patchout=patchout_u)
    torch.manual_seed(0)
    x = torch.randn(batch, 1, n_mels, frames)
    bf16 = precision == "bf16"
    if mode == "infer":
        model.eval()
        with torch.no_grad():
            for i in range(steps + 1):
                if i == 1:
                    start = time.perf_counter()  # after the warm-up pass
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    model(x)
        print("%.6f %d" % (time.perf_counter() - start, steps))
        return
    model.train()
    target = torch.zeros(batch, classes)
    target[:, 0] = 1
    tokens = [0]
    model.blocks[0].register_forward_hook(lambda module, inputs, output: tokens.__setitem__(0, output.shape[1]))
    before = status_kb("VmRSS:")
    seconds = []
    for i in range(steps + 1):
        model.zero_grad()
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)[0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), target)
        loss.backward()
        took = time.perf_counter() - start
        if i == 0:  # the warm-up step made the gradients; the timed steps' peak starts from here
            first_peak = status_kb("VmHWM:")
            with open("/proc/self/clear_refs", "w") as reset:
                reset.write("5")
            steady = status_kb("VmRSS:")
        else:
            seconds.append(took)
    seconds.sort()
    print("%.6f %d %d %d %d %d" % (seconds[len(seconds) // 2], tokens[0], before, first_peak, steady,
                                   status_kb("VmHWM:")))


if __name__ == "__main__":
    main()
