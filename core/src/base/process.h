// Runs a helper program (espeak-ng) without a shell: posix_spawn, optional text on its standard
// input, its standard output captured. Internal to patchout_core.
#pragma once

#include <string>
#include <vector>

namespace patchout::detail {

struct ProcessResult {
    int exit_code = -1;  // -1 when the program could not be started or was killed
    std::string output;  // standard output
};

ProcessResult runProgram(const std::vector<std::string>& argv, const std::string& input = {});

}  // namespace patchout::detail
