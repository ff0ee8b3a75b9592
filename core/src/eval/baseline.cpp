#include "patchout/baseline.h"

#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/feature_cache.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

namespace fs = std::filesystem;

namespace patchout {

std::vector<float> clipStatistics(const Features& f) {
    const int bins = f.n_bins;
    std::vector<float> out(static_cast<std::size_t>(6 * bins), 0.0f);
    // Per bin: mean, standard deviation (population) and maximum of a sequence.
    auto summarise = [&](int offset, int frames, auto value) {
        if (frames <= 0)
            return;
        for (int b = 0; b < bins; ++b) {
            double sum = 0, sumSq = 0, mx = -std::numeric_limits<double>::infinity();
            for (int t = 0; t < frames; ++t) {
                const double v = value(b, t);
                sum += v;
                sumSq += v * v;
                mx = std::max(mx, v);
            }
            const double mean = sum / frames;
            out[static_cast<std::size_t>(offset + b)] = static_cast<float>(mean);
            out[static_cast<std::size_t>(offset + bins + b)] =
                static_cast<float>(std::sqrt(std::max(0.0, sumSq / frames - mean * mean)));
            out[static_cast<std::size_t>(offset + 2 * bins + b)] = static_cast<float>(mx);
        }
    };
    summarise(0, f.n_frames, [&](int b, int t) { return static_cast<double>(f.at(b, t)); });
    summarise(3 * bins, f.n_frames - 1,
              [&](int b, int t) { return static_cast<double>(f.at(b, t + 1)) - f.at(b, t); });
    return out;
}

std::vector<double> LogisticRegression::predict(const std::vector<float>& x, std::int64_t rows) const {
    if (static_cast<std::int64_t>(x.size()) != rows * dim)
        throw Error(ErrorCode::InvalidArgument, "the rows do not have the regression's " +
                                                    std::to_string(dim) + " dimensions");
    std::vector<double> out(static_cast<std::size_t>(rows * classes));
    std::vector<double> z(static_cast<std::size_t>(dim));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (int d = 0; d < dim; ++d)
            z[static_cast<std::size_t>(d)] =
                (x[static_cast<std::size_t>(r * dim + d)] - mean[static_cast<std::size_t>(d)]) /
                scale[static_cast<std::size_t>(d)];
        double* row = out.data() + r * classes;
        for (int c = 0; c < classes; ++c) {
            double logit = bias[static_cast<std::size_t>(c)];
            for (int d = 0; d < dim; ++d)
                logit += weights[static_cast<std::size_t>(c) * dim + d] * z[static_cast<std::size_t>(d)];
            row[c] = logit;
        }
        if (multi_label) {
            for (int c = 0; c < classes; ++c)
                row[c] = 1.0 / (1.0 + std::exp(-row[c]));
        } else {
            const double mx = *std::max_element(row, row + classes);
            double sum = 0;
            for (int c = 0; c < classes; ++c)
                sum += (row[c] = std::exp(row[c] - mx));
            for (int c = 0; c < classes; ++c)
                row[c] /= sum;
        }
    }
    return out;
}

LogisticRegression fitLogisticRegression(const std::vector<float>& x, std::int64_t rows, int dim,
                                         const std::vector<std::vector<int>>& labels, int classes,
                                         bool multiLabel, const BaselineOptions& options) {
    if (rows < 1 || dim < 1 || classes < 1 || static_cast<std::int64_t>(x.size()) != rows * dim ||
        static_cast<std::int64_t>(labels.size()) != rows)
        throw Error(ErrorCode::InvalidArgument, "logistic regression: inconsistent sizes");
    if (!(options.c > 0) || options.max_iterations < 1)
        throw Error(ErrorCode::InvalidArgument, "logistic regression: c must be > 0 and max_iterations >= 1");
    LogisticRegression m;
    m.dim = dim;
    m.classes = classes;
    m.multi_label = multiLabel;
    const auto opts = torch::TensorOptions().dtype(torch::kDouble);
    torch::Tensor raw = torch::from_blob(const_cast<float*>(x.data()), {rows, dim}, torch::kFloat32).to(torch::kDouble);
    // Standardised as scikit-learn's StandardScaler: population deviation, 1 where it is 0.
    const torch::Tensor mean = raw.mean(0);
    torch::Tensor scale = raw.std(0, /*unbiased=*/false);
    scale = torch::where(scale > 1e-12, scale, torch::ones_like(scale));
    const torch::Tensor z = (raw - mean) / scale;

    torch::Tensor targets = torch::zeros({rows, classes}, opts);
    std::vector<double> counts(static_cast<std::size_t>(classes), 0.0);
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto& l = labels[static_cast<std::size_t>(r)];
        if (!multiLabel && l.size() != 1)
            throw Error(ErrorCode::InvalidArgument, "logistic regression: a single-label row needs one label");
        for (int c : l) {
            if (c < 0 || c >= classes)
                throw Error(ErrorCode::InvalidArgument, "logistic regression: label out of range");
            targets[r][c] = 1.0;
            counts[static_cast<std::size_t>(c)] += 1;
        }
    }
    const auto present = std::count_if(counts.begin(), counts.end(), [](double n) { return n > 0; });
    if (!multiLabel && present < 2)
        throw Error(ErrorCode::Dataset, "the training clips hold fewer than two classes");

    // Per-element weights of the loss: a row's class weight (single-label), or per class the
    // positive / negative weight of its binary problem (multi-label, one-vs-rest).
    torch::Tensor weight;
    if (!multiLabel) {
        std::vector<double> classWeight(static_cast<std::size_t>(classes), 1.0);
        if (options.balanced)
            for (int c = 0; c < classes; ++c)
                if (counts[static_cast<std::size_t>(c)] > 0)
                    classWeight[static_cast<std::size_t>(c)] =
                        static_cast<double>(rows) / (static_cast<double>(present) * counts[static_cast<std::size_t>(c)]);
        weight = targets.matmul(torch::tensor(classWeight, opts));  // [rows]
    } else {
        weight = torch::ones({rows, classes}, opts);
        if (options.balanced)
            for (int c = 0; c < classes; ++c) {
                const double pos = counts[static_cast<std::size_t>(c)], neg = static_cast<double>(rows) - pos;
                if (pos > 0 && neg > 0) {
                    torch::Tensor col = weight.select(1, c);
                    col.copy_(torch::where(targets.select(1, c) > 0.5,
                                           torch::full({rows}, rows / (2 * pos), opts),
                                           torch::full({rows}, rows / (2 * neg), opts)));
                }
            }
    }
    // scikit-learn's objective, divided by C * (sum of the weights): the same minimum.
    const double total = multiLabel ? weight.sum().item<double>() / classes : weight.sum().item<double>();
    const double penalty = 0.5 / (options.c * total);

    torch::Tensor w = torch::zeros({dim, classes}, opts).requires_grad_(true);
    torch::Tensor b = torch::zeros({classes}, opts).requires_grad_(true);
    torch::optim::LBFGS lbfgs({w, b}, torch::optim::LBFGSOptions(1)
                                          .max_iter(options.max_iterations)
                                          .max_eval(options.max_iterations * 5 / 4)
                                          .tolerance_grad(1e-10)
                                          .tolerance_change(1e-12)
                                          .history_size(20)
                                          .line_search_fn("strong_wolfe"));
    int evaluations = 0;
    auto closure = [&]() -> torch::Tensor {
        ++evaluations;
        lbfgs.zero_grad();
        const torch::Tensor logits = z.matmul(w) + b;
        torch::Tensor data;
        if (multiLabel)
            data = (torch::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::None) * weight)
                       .sum();  // the classes' binary problems side by side, each with the penalty
        else
            data = -(torch::log_softmax(logits, 1) * targets).sum(1).mul(weight).sum();
        const torch::Tensor loss = data / total + penalty * w.pow(2).sum();
        loss.backward();
        return loss;
    };
    // LibTorch's L-BFGS compares losses as float and so stops early on a flat double objective
    // (about 1e-7 relative); further steps go on from its history until the gradient is flat.
    const int budget = options.max_iterations * 5 / 4;
    for (int round = 0; round < 100 && evaluations < budget; ++round) {
        const int before = evaluations;
        lbfgs.step(closure);
        closure();
        const double largest = std::max(w.grad().abs().max().item<double>(), b.grad().abs().max().item<double>());
        if (largest <= 1e-10 || evaluations <= before + 2)
            break;
    }
    m.iterations = evaluations;

    const torch::Tensor wt = w.detach().t().contiguous().to(torch::kFloat32);  // classes x dim
    const torch::Tensor bf = b.detach().to(torch::kFloat32).contiguous();
    const torch::Tensor meanF = mean.to(torch::kFloat32).contiguous(), scaleF = scale.to(torch::kFloat32).contiguous();
    m.weights.assign(wt.data_ptr<float>(), wt.data_ptr<float>() + wt.numel());
    m.bias.assign(bf.data_ptr<float>(), bf.data_ptr<float>() + bf.numel());
    m.mean.assign(meanF.data_ptr<float>(), meanF.data_ptr<float>() + dim);
    m.scale.assign(scaleF.data_ptr<float>(), scaleF.data_ptr<float>() + dim);
    return m;
}

BaselineResult runBaseline(const Dataset& dataset, const DatasetSplit& split, const std::string& which,
                           const fs::path& out, const BaselineOptions& options, const JobControl* job) {
    const auto t0 = std::chrono::steady_clock::now();
    if (split.train.empty())
        throw Error(ErrorCode::Dataset, "the split has no training clips for the baseline", dataset.root.string());
    const std::vector<std::size_t> scored = splitClips(dataset, split, which);
    const FeatureOptions features = featurePreset(options.feature_preset);
    std::optional<FeatureCache> cache;
    if (!options.cache_dir.empty())
        cache.emplace(options.cache_dir, features);
    FeatureExtractor extractor(features);
    const auto total = static_cast<std::int64_t>(split.train.size() + scored.size());
    std::int64_t done = 0;
    auto statistics = [&](const std::vector<std::size_t>& clips, std::vector<float>& x) {
        for (std::size_t i : clips) {
            if (job)
                job->throwIfCancelled();
            const fs::path file = dataset.clipPath(i);
            const Features f = cache ? cache->get(file)
                                     : extractor.compute(loadAudio(file, {.target_rate = features.sample_rate}));
            const std::vector<float> s = clipStatistics(f);
            x.insert(x.end(), s.begin(), s.end());
            if (job)
                job->report({.step = ++done, .total = total, .message = "clips", .metrics = {}});
        }
    };
    std::vector<float> trainX, testX;
    statistics(split.train, trainX);
    std::vector<std::vector<int>> trainLabels;
    for (std::size_t i : split.train)
        trainLabels.push_back(dataset.clips[i].labels);
    const int dim = 6 * features.numBins();
    const int classes = static_cast<int>(dataset.classes.size());
    const LogisticRegression model =
        fitLogisticRegression(trainX, static_cast<std::int64_t>(split.train.size()), dim, trainLabels, classes,
                              dataset.multi_label, options);
    statistics(scored, testX);

    BaselineResult r;
    r.train_clips = split.train.size();
    r.iterations = model.iterations;
    Predictions& p = r.predictions;
    p.classes = dataset.classes;
    p.multi_label = dataset.multi_label;
    for (std::size_t i : scored) {
        p.files.push_back(dataset.clips[i].path);
        p.labels.push_back(dataset.clips[i].labels);
    }
    p.scores.n_samples = scored.size();
    p.scores.n_classes = static_cast<std::size_t>(classes);
    p.scores.values = model.predict(testX, static_cast<std::int64_t>(scored.size()));
    ReportOptions reportOptions;
    reportOptions.clips = describeClips(split, which);
    r.report = computeReport(p, reportOptions);
    fs::create_directories(out);
    writePredictionsCsv(out / "predictions.csv", p);
    writeReport(out, p, r.report);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace patchout
