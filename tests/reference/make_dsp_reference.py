#!/usr/bin/python3
"""Reference values for the mel filterbank and window tests (tests/core/test_mel_filterbank.cpp,
test_stft.cpp), computed with torchaudio 0.13 / torch 1.13 (Debian python3-torchaudio).
Run from the repository root: /usr/bin/python3 tests/reference/make_dsp_reference.py
It rewrites tests/reference/dsp_reference.json; the tests read that file, not Python."""
import json

import torch
import torchaudio

cases = []
for scale, norm in [("htk", None), ("slaney", None), ("slaney", "slaney")]:
    for n_fft, sr, n_mels, f_min, f_max in [(64, 16000, 8, 100.0, 7000.0), (400, 22050, 40, 0.0, 11025.0)]:
        fb = torchaudio.functional.melscale_fbanks(
            n_freqs=n_fft // 2 + 1, f_min=f_min, f_max=f_max, n_mels=n_mels, sample_rate=sr,
            norm=norm, mel_scale=scale).double()  # [n_freqs, n_mels]
        cases.append({"scale": scale, "norm": norm or "none", "n_fft": n_fft, "sample_rate": sr,
                      "n_mels": n_mels, "f_min": f_min, "f_max": f_max,
                      "weights": fb.t().contiguous().flatten().tolist()})

for n_fft, sr, n_mels, f_min, f_max in [(1024, 32000, 128, 0.0, 15000.0), (512, 16000, 23, 20.0, 7600.0)]:
    fb, _ = torchaudio.compliance.kaldi.get_mel_banks(n_mels, n_fft, float(sr), f_min, f_max,
                                                      100.0, -500.0, 1.0)
    fb = torch.nn.functional.pad(fb, (0, 1))  # zero Nyquist column, as PaSST does
    cases.append({"scale": "kaldi", "norm": "none", "n_fft": n_fft, "sample_rate": sr,
                  "n_mels": n_mels, "f_min": f_min, "f_max": f_max,
                  "weights": fb.double().contiguous().flatten().tolist()})

windows = {
    "hann-periodic": torch.hann_window(16, periodic=True, dtype=torch.float64).tolist(),
    "hann-symmetric": torch.hann_window(16, periodic=False, dtype=torch.float64).tolist(),
    "hamming": torch.hamming_window(16, periodic=True, dtype=torch.float64).tolist(),
    "povey": torch.hann_window(16, periodic=False, dtype=torch.float64).pow(0.85).tolist(),
}

torch.manual_seed(3)
x = torch.randn(300, dtype=torch.float64)
spec = torch.stft(x, n_fft=64, hop_length=16, win_length=48,
                  window=torch.hann_window(48, periodic=True, dtype=torch.float64),
                  center=True, pad_mode="reflect", return_complex=True).abs().pow(2)
stft_case = {"signal": x.tolist(), "n_fft": 64, "hop_length": 16, "win_length": 48,
             "window": "hann-periodic", "power": spec.t().contiguous().flatten().tolist(),
             "n_frames": spec.shape[1]}

with open("tests/reference/dsp_reference.json", "w") as f:
    json.dump({"generator": "tests/reference/make_dsp_reference.py",
               "torch": torch.__version__, "torchaudio": torchaudio.__version__,
               "filterbanks": cases, "windows": windows, "stft": stft_case}, f)
