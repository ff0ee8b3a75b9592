// core_tests' main: the tests run on the OpenBLAS kernels the programs use.
#include "patchout/system_info.h"

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
