// The header of a safetensors file (the project's model format, docs/model.md): 8 bytes of
// length, a JSON object naming each tensor's dtype, shape and byte range, then the data. Read
// without LibTorch (the fuzz target fuzz_safetensors links it alone) and trusted in nothing: every
// dtype, dimension and range is checked, and the ranges must tile the data section exactly.
// Internal to core.
#pragma once

#include "patchout/passt.h"

#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace patchout {

struct StoredTensor {
    TensorInfo info;
    std::uint64_t begin = 0, end = 0;  // byte range inside the data section
};

struct SafetensorsHeader {
    std::vector<StoredTensor> tensors;
    std::map<std::string, std::string> metadata;
    std::uint64_t data_start = 0;  // file offset of the data section
};

// Reads the header from the start of `in` (the file at `path`, whose size bounds every range).
// Throws Error(BadFormat) naming the file and the first fault, or Error(FileNotFound).
SafetensorsHeader readSafetensorsHeader(const std::filesystem::path& path, std::istream& in);

}  // namespace patchout
