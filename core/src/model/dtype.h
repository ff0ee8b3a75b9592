// Element types of stored tensors, by the names safetensors gives them ("F32", "BF16", ...): one
// table for the safetensors reader, the pickle reader and the importer. No LibTorch here, so the
// fuzz targets (fuzz/) can link the readers; torch_archive.h converts to at::ScalarType.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace patchout {

enum class DType { F32, F64, F16, BF16, I64, I32, I16, I8, U8, Bool };

struct DTypeInfo {
    DType type;
    const char* name;          // as safetensors writes it
    const char* storage;       // the torch.save storage class
    std::size_t bytes;         // per element
    bool floating;
};

inline constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "F32", "torch.FloatStorage", 4, true},
    {DType::F64, "F64", "torch.DoubleStorage", 8, true},
    {DType::F16, "F16", "torch.HalfStorage", 2, true},
    {DType::BF16, "BF16", "torch.BFloat16Storage", 2, true},
    {DType::I64, "I64", "torch.LongStorage", 8, false},
    {DType::I32, "I32", "torch.IntStorage", 4, false},
    {DType::I16, "I16", "torch.ShortStorage", 2, false},
    {DType::I8, "I8", "torch.CharStorage", 1, false},
    {DType::U8, "U8", "torch.ByteStorage", 1, false},
    {DType::Bool, "BOOL", "torch.BoolStorage", 1, false}};

constexpr const DTypeInfo& dtypeInfo(DType type) { return kDTypes[static_cast<std::size_t>(type)]; }
constexpr const char* dtypeName(DType type) { return dtypeInfo(type).name; }
constexpr std::size_t elementSize(DType type) { return dtypeInfo(type).bytes; }

// By safetensors name; nothing for a name not in the table.
constexpr std::optional<DType> dtypeNamed(std::string_view name) {
    for (const auto& d : kDTypes)
        if (name == d.name)
            return d.type;
    return std::nullopt;
}

// By torch.save storage class ("torch.FloatStorage"); nothing for any other global.
constexpr std::optional<DType> dtypeOfStorage(std::string_view storage) {
    for (const auto& d : kDTypes)
        if (storage == d.storage)
            return d.type;
    return std::nullopt;
}

}  // namespace patchout
