#include "progress_bar.h"

#include "patchout/text.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace patchout::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : m_label(std::move(label)), m_enabled(enabled), m_tty(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(const Progress& p) {
    if (!m_enabled)
        return;
    const auto now = std::chrono::steady_clock::now();
    const bool epochDone = p.event == ProgressEvent::EpochEnd;
    const double interval = m_tty ? 0.2 : 10.0;
    if (!epochDone && p.step != p.total &&
        std::chrono::duration<double>(now - m_last).count() < interval)
        return;
    m_last = now;
    char line[256];
    if (epochDone) {
        if (std::isfinite(p.metric(metric::kValidationAccuracy)))
            std::snprintf(line, sizeof line, "%s: %s  train loss %.4f  val loss %.4f  val acc %.2f%%",
                          m_label.c_str(), p.message.c_str(), p.metric(metric::kTrainLoss),
                          p.metric(metric::kValidationLoss), 100.0 * p.metric(metric::kValidationAccuracy));
        else  // no validation clips
            std::snprintf(line, sizeof line, "%s: %s  train loss %.4f", m_label.c_str(), p.message.c_str(),
                          p.metric(metric::kTrainLoss));
        std::cerr << (m_tty && m_open ? "\r\033[K" : "") << line << "\n";
        m_open = false;
        return;
    }
    const int width = 24;
    const double frac = p.total > 0 ? static_cast<double>(p.step) / static_cast<double>(p.total) : 0;
    std::string bar(static_cast<std::size_t>(width), ' ');
    for (int i = 0; i < static_cast<int>(frac * width); ++i)
        bar[static_cast<std::size_t>(i)] = '=';
    // Only what the job reports: a training step has loss, lr and throughput; other jobs
    // (speaking a dataset, scoring clips) count steps.
    const bool training = std::isfinite(p.metric(metric::kLoss));
    std::string text = m_label + " [" + bar + "] " + (training ? "step " : "") + std::to_string(p.step) + "/" +
                       std::to_string(p.total) + "  " + p.message;
    auto add = [&](const char* key, const char* format, double scale = 1.0) {
        if (const double v = p.metric(key); std::isfinite(v)) {
            std::snprintf(line, sizeof line, format, scale * v);
            text += line;
        }
    };
    add(metric::kLoss, "  loss %.4f");
    add(metric::kLearningRate, "  lr %.2e");
    add(metric::kExamplesPerSecond, "  %.1f ex/s");
    if (const double eta = p.metric(metric::kEtaSeconds); std::isfinite(eta))
        text += "  ETA " + formatDuration(eta);
    std::snprintf(line, sizeof line, "%s", text.c_str());
    if (m_tty) {
        std::cerr << "\r\033[K" << line << std::flush;
        m_open = true;
    } else {
        std::cerr << line << "\n";
    }
}

void ProgressBar::finish() {
    if (m_open)
        std::cerr << "\n";
    m_open = false;
}

}  // namespace patchout::cli
