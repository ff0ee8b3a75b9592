// Every input that once crashed a fuzz target (fuzz/corpus/<target>/crash-*) goes through the same
// target function (fuzz/targets.h) here, in the ordinary build and the sanitize preset's: it must
// end in a result or a patchout::Error, never another exception or a crash. The fuzz preset finds
// them with Clang; this keeps them found in every CI run.
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout_source_paths.h"
#include "targets.h"

#include <gtest/gtest.h>

#include <typeinfo>

namespace fs = std::filesystem;
using namespace patchout;

namespace {

using Target = void (*)(const std::uint8_t*, std::size_t);

// Runs each crash-* input of the target; returns how many there were.
int replayCrashes(const std::string& target, Target run) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(PATCHOUT_TESTS_DIR) / ".." / "fuzz" / "corpus" / target)) {
        if (entry.path().filename().string().rfind("crash-", 0) != 0)
            continue;
        ++n;
        SCOPED_TRACE(entry.path().string());
        const std::string bytes = readTextFile(entry.path());
        try {
            run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        } catch (const Error&) {
        } catch (const std::exception& e) {
            ADD_FAILURE() << "escaped as " << typeid(e).name() << ": " << e.what();
        }
    }
    return n;
}

}  // namespace

// Where a target has found something, its count guards that the inputs are still there.
TEST(FuzzRegressions, AudioDecoder) { EXPECT_GE(replayCrashes("audio", fuzz::audio), 1); }
TEST(FuzzRegressions, MetricsJsonl) { EXPECT_GE(replayCrashes("metrics_jsonl", fuzz::metrics_jsonl), 2); }
TEST(FuzzRegressions, DatasetReaders) { EXPECT_GE(replayCrashes("dataset", fuzz::dataset), 1); }

TEST(FuzzRegressions, EveryOtherReader) {
    replayCrashes("pickle", fuzz::pickle);
    replayCrashes("torch_archive", fuzz::torch_archive);
    replayCrashes("safetensors", fuzz::safetensors);
    replayCrashes("predictions", fuzz::predictions);
    replayCrashes("report", fuzz::report);
}
