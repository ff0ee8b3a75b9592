// Precompiled header of patchout_core (see core/CMakeLists.txt): LibTorch takes ~15 s to parse per
// file, so it is parsed once. Only core/src and tests include torch; public headers never do.
#pragma once
#include <torch/torch.h>
