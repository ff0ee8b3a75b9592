// Patchout's point is the cost of training: dropping 40 time columns and 4 frequency rows of
// PaSST-S's 12 x 99 patch grid on 10 s clips leaves 472 of 1,188 patches. This times training
// steps (forward + backward of a multi-label loss) without patchout (the baseline) and with the
// preset's patchout, and prints both and their ratio.
//   bench_patchout [--preset passt-s] [--batch 1] [--steps 2] [--threads 1]
#include "model/passt_module.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

double medianStepSeconds(patchout::PaSST& model, const torch::Tensor& x, const torch::Tensor& target,
                         int steps, std::int64_t& tokens) {
    std::vector<double> seconds;
    for (int i = 0; i <= steps; ++i) {  // step 0 warms up the allocator and BLAS
        model->zero_grad();
        const auto start = std::chrono::steady_clock::now();
        tokens = model->tokens(x).size(1);
        auto loss = torch::binary_cross_entropy_with_logits(model->forward(x).first, target);
        loss.backward();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (i > 0)
            seconds.push_back(took.count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string preset = "passt-s";
    int batch = 1, steps = 2, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
        else if (!std::strcmp(argv[i], "--batch")) batch = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--steps")) steps = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--threads")) threads = std::max(1, std::atoi(argv[i + 1]));
    }
    try {
        patchout::configureThreads({.torch_threads = threads, .blas_threads = 0});
        const auto options = patchout::passtPreset(preset);
        patchout::PaSSTModel model(options, 1);
        model.setTraining(true);
        torch::manual_seed(0);
        const auto x = torch::randn({batch, options.in_chans, options.n_mels, options.input_frames});
        auto target = torch::zeros({batch, options.num_classes});
        target.select(1, 0).fill_(1.0);

        std::int64_t allTokens = 0, keptTokens = 0;
        model.setPatchout({});
        const double baseline = medianStepSeconds(model.module(), x, target, steps, allTokens);
        model.setPatchout(options.patchout);
        const double patched = medianStepSeconds(model.module(), x, target, steps, keptTokens);

        std::printf("%s, batch %d x %d frames, median of %d training steps (forward + backward)\n",
                    preset.c_str(), batch, options.input_frames, steps);
        std::printf("baseline (no patchout):     %8.3f s/step, %lld tokens\n", baseline,
                    static_cast<long long>(allTokens));
        std::printf("patchout t%d f%d u%d:        %8.3f s/step, %lld tokens\n",
                    options.patchout.s_patchout_t, options.patchout.s_patchout_f,
                    options.patchout.u_patchout, patched, static_cast<long long>(keptTokens));
        std::printf("ratio baseline / patchout:  %8.2fx\n", baseline / patched);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_patchout: %s\n", e.what());
        return 1;
    }
    return 0;
}
