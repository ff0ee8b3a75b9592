// The CLI's view of a long job: a one-line progress bar on stderr (step, loss, lr, throughput,
// ETA) redrawn in place on a terminal, or a plain line every few seconds when stderr is a file.
#pragma once

#include "patchout/job.h"

#include <chrono>
#include <string>

namespace patchout::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label, bool enabled = true);
    ~ProgressBar();  // ends the line
    // Draws `p` (rate-limited); the end of an epoch is kept on its own line.
    void update(const Progress& p);
    void finish();

private:
    std::string m_label;
    bool m_enabled;
    bool m_tty;
    bool m_open = false;
    std::chrono::steady_clock::time_point m_last{};
};

}  // namespace patchout::cli
