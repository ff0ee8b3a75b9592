// One libFuzzer target: fuzz/CMakeLists.txt compiles this file once per function of targets.h,
// naming it in PATCHOUT_FUZZ_TARGET.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        patchout::fuzz::PATCHOUT_FUZZ_TARGET(data, size);
    } catch (const patchout::Error&) {
    }
    return 0;
}
