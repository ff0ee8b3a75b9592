// The files a batch job (classify, embed, eval, probe) could not use, and why: the job goes on
// with the others and lists these in an errors.csv beside its results, so one damaged file never
// costs the results of the good ones. Thread-safety: plain values and free functions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

struct FileError {
    std::filesystem::path path;
    std::string reason;  // one line (exceptionMessage of what went wrong)
};

// The errors file of a results file: `errors.csv` in its folder.
std::filesystem::path errorsFileFor(const std::filesystem::path& results);

// Writes `path,reason` rows under a header, atomically (files.h); an empty list writes the header
// only, so a rerun that went well replaces an older list. Error(Io) when it cannot be written.
void writeFileErrors(const std::filesystem::path& path, const std::vector<FileError>& errors);
// Reads such a file back; Error(BadFormat) naming the file when it is not one.
std::vector<FileError> readFileErrors(const std::filesystem::path& path);

}  // namespace patchout
