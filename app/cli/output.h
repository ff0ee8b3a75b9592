// Small helpers shared by CLI commands: writing feature blocks and pictures atomically, and what a
// batch job says about the files it skipped.
#pragma once

#include "patchout/features.h"
#include "patchout/file_errors.h"

#include <filesystem>
#include <string>
#include <vector>

namespace patchout {
struct Dataset;
}

namespace patchout::cli {

// Writes features as .png (colour-mapped picture), .csv (one row per frame) or .f32 (raw float32,
// bin-major [n_bins x n_frames], the layout of the reference fixtures), chosen by extension.
void writeFeatures(const std::filesystem::path& path, const Features& features,
                   const std::string& colourMap = "viridis", double rangeDb = 80.0);

// Exit codes of batch jobs (classify, embed) that keep going past bad files; 1 stays "the job
// failed", 130 "cancelled".
inline constexpr int kExitSomeSkipped = 3;   // results written for the files that worked
inline constexpr int kExitNothingWorked = 4; // no file could be used; no results written
// The --help footer that says so.
inline constexpr const char* kSkippedFilesHelp =
    "A file that cannot be read or decoded is skipped with a warning and listed in errors.csv beside --out;\n"
    "exit code 0: every file worked, 3: some were skipped (results written), 4: none worked, 1: the job failed.\n"
    "--strict stops at the first bad file instead.";

// After a batch job over `files` files: one warning line per skipped file on stderr, and where
// they are listed (`errors`, the errors.csv the job wrote; empty: none). Returns the exit code: 0,
// kExitSomeSkipped or kExitNothingWorked.
int reportSkipped(const std::vector<FileError>& skipped, std::size_t files, const std::filesystem::path& errors);

// --skip_bad_rows of the jobs that read a dataset (eval, probe, baseline, prune; train's comes from
// TrainOptions' table and says the same).
inline constexpr const char* kSkipBadRowsHelp =
    "Leave out dataset rows with problems (missing or unreadable files, unknown labels, malformed lines) "
    "instead of refusing the dataset; each is a warning, exit code 3";
// After a dataset read with skip_bad_rows: one warning line per problem on stderr and a count of
// the rows left out. Returns kExitSomeSkipped when rows were left out, else 0.
int reportLeftOutRows(const Dataset& dataset);

}  // namespace patchout::cli
