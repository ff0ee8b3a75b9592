#include "progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace patchout::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : m_label(std::move(label)), m_enabled(enabled), m_tty(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() { finish(); }

std::string formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
    return buf;
}

void ProgressBar::update(const Progress& p) {
    if (!m_enabled)
        return;
    const auto now = std::chrono::steady_clock::now();
    const bool epochDone = p.message.size() >= 4 && p.message.compare(p.message.size() - 4, 4, "done") == 0;
    const double interval = m_tty ? 0.2 : 10.0;
    if (!epochDone && p.step != p.total &&
        std::chrono::duration<double>(now - m_last).count() < interval)
        return;
    m_last = now;
    auto metric = [&](const char* key) {
        const auto it = p.metrics.find(key);
        return it == p.metrics.end() ? std::nan("") : it->second;
    };
    char line[256];
    if (epochDone) {
        std::snprintf(line, sizeof line, "%s: %s  train loss %.4f  val loss %.4f  val acc %.2f%%",
                      m_label.c_str(), p.message.c_str(), metric("train_loss"), metric("val_loss"),
                      100.0 * metric("val_accuracy"));
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
    const bool training = std::isfinite(metric("loss"));
    std::string text = m_label + " [" + bar + "] " + (training ? "step " : "") + std::to_string(p.step) + "/" +
                       std::to_string(p.total) + "  " + p.message;
    auto add = [&](const char* key, const char* format, double scale = 1.0) {
        if (const double v = metric(key); std::isfinite(v)) {
            std::snprintf(line, sizeof line, format, scale * v);
            text += line;
        }
    };
    add("loss", "  loss %.4f");
    add("lr", "  lr %.2e");
    add("examples_per_s", "  %.1f ex/s");
    if (std::isfinite(metric("eta_s")))
        text += "  ETA " + formatDuration(metric("eta_s"));
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
