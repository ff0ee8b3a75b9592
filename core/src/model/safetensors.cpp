#include "model/safetensors.h"

#include "model/dtype.h"
#include "patchout/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace fs = std::filesystem;

namespace patchout {
namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;  // the safetensors limit
constexpr std::uint64_t kMaxElements = 1ull << 40;

[[noreturn]] void badFile(const fs::path& path, const std::string& what) {
    throw Error(ErrorCode::BadFormat, what, path.string());
}

}  // namespace

SafetensorsHeader readSafetensorsHeader(const fs::path& path, std::istream& in) {
    std::error_code ec;
    const auto fileSize = fs::file_size(path, ec);
    if (ec)
        throw Error(ErrorCode::FileNotFound, "cannot read model file: " + ec.message(), path.string());
    std::uint64_t headerSize = 0;
    if (fileSize < 8 || !in.read(reinterpret_cast<char*>(&headerSize), 8))
        badFile(path, "too short for a model file");
    if (headerSize > kMaxHeaderBytes || headerSize > fileSize - 8)
        badFile(path, "not a model file (header size " + std::to_string(headerSize) + ")");
    std::string text(headerSize, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(headerSize)))
        badFile(path, "truncated header");
    SafetensorsHeader h;
    h.data_start = 8 + headerSize;
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::exception&) {
        badFile(path, "not a model file (the header is not JSON)");
    }
    if (!j.is_object())
        badFile(path, "the header is not a JSON object");
    for (const auto& [key, value] : j.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                badFile(path, "__metadata__ is not an object");
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string())
                    badFile(path, "metadata '" + mk + "' is not a string");
                h.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        StoredTensor t;
        t.info.name = key;
        const auto dtype = value.is_object() ? value.find("dtype") : value.end();
        const auto shape = value.is_object() ? value.find("shape") : value.end();
        const auto offsets = value.is_object() ? value.find("data_offsets") : value.end();
        if (dtype == value.end() || !dtype->is_string() || !dtypeNamed(dtype->get<std::string>()))
            badFile(path, "tensor '" + key + "' has no known dtype");
        t.info.dtype = dtype->get<std::string>();
        if (shape == value.end() || !shape->is_array() || shape->size() > 16)
            badFile(path, "tensor '" + key + "' has no shape");
        // Every dimension and every partial product stays at most 2^40, so nothing overflows and
        // the shape describes no more elements than a file can hold.
        std::uint64_t numel = 1;
        for (const auto& d : *shape) {
            if (!d.is_number_unsigned() || d.get<std::uint64_t>() > kMaxElements)
                badFile(path, "tensor '" + key + "' has a bad dimension");
            const auto size = d.get<std::uint64_t>();
            if (size > 0 && numel > kMaxElements / size)
                badFile(path, "tensor '" + key + "' is too large");
            numel *= size;
            t.info.shape.push_back(static_cast<std::int64_t>(size));
        }
        if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
            badFile(path, "tensor '" + key + "' has no data_offsets");
        t.begin = (*offsets)[0].get<std::uint64_t>();
        t.end = (*offsets)[1].get<std::uint64_t>();
        const auto bytes = numel * elementSize(*dtypeNamed(t.info.dtype));
        if (t.end < t.begin || t.end - t.begin != bytes)
            badFile(path, "tensor '" + key + "' has " + std::to_string(t.end - t.begin) +
                              " bytes for " + std::to_string(bytes));
        h.tensors.push_back(std::move(t));
    }
    // The data section is exactly the tensors, back to back: no gaps, overlaps or trailing bytes.
    std::vector<const StoredTensor*> byOffset;
    for (const auto& t : h.tensors)
        byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(),
              [](const StoredTensor* a, const StoredTensor* b) { return a->begin < b->begin; });
    std::uint64_t expected = 0;
    for (const auto* t : byOffset) {
        if (t->begin != expected)
            badFile(path, "tensor data overlaps or leaves gaps at '" + t->info.name + "'");
        expected = t->end;
    }
    if (h.data_start + expected != fileSize)
        badFile(path, "the file holds " + std::to_string(fileSize - h.data_start) +
                          " bytes of tensor data, its header describes " + std::to_string(expected) +
                          " (truncated?)");
    return h;
}


}  // namespace patchout
