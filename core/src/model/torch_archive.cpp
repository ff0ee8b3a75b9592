#include "model/torch_archive.h"

#include "patchout/error.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>

namespace fs = std::filesystem;

namespace patchout::pickle {

at::ScalarType scalarType(DType dtype) {
    switch (dtype) {
    case DType::F32: return at::kFloat;
    case DType::F64: return at::kDouble;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
    }
    return at::kFloat;
}

std::optional<DType> dtypeOf(at::ScalarType type) {
    for (const auto& d : kDTypes)
        if (scalarType(d.type) == type)
            return d.type;
    return std::nullopt;
}

std::string c10Message(const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    // LibTorch appends its source location on a new line; the user needs the first line only.
    if (auto nl = msg.find('\n'); nl != std::string::npos)
        msg.resize(nl);
    return msg;
}

bool looksLikeZip(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

TorchArchive::TorchArchive(const fs::path& path) : m_path(path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::FileNotFound, "no such checkpoint file", path.string());
    if (!looksLikeZip(path)) {
        std::ifstream in(path, std::ios::binary);
        unsigned char head[2] = {};
        in.read(reinterpret_cast<char*>(head), 2);
        if (head[0] == 0x80 && head[1] <= 5)
            throw Error(ErrorCode::Unsupported,
                        "legacy (pre-1.6) torch.save format; re-save it in Python with "
                        "torch.save(torch.load(path), path)",
                        path.string());
        throw Error(ErrorCode::BadFormat, "not a PyTorch checkpoint (no zip archive)", path.string());
    }
    try {
        m_reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path.string());
        if (m_reader->hasRecord("byteorder")) {
            auto [ptr, size] = m_reader->getRecord("byteorder");
            const std::string order(static_cast<const char*>(ptr.get()), size);
            if (order != "little")
                throw Error(ErrorCode::Unsupported, "big-endian checkpoint", path.string());
        }
        if (!m_reader->hasRecord("data.pkl"))
            throw Error(ErrorCode::BadFormat, "the archive has no data.pkl", path.string());
        auto [pkl, pklSize] = m_reader->getRecord("data.pkl");
        // Records are checked for presence here and for size when a tensor is loaded, so listing
        // a large checkpoint does not read its weights.
        auto check = [&](const std::string& key, DType, std::int64_t) {
            if (!m_reader->hasRecord("data/" + key))
                throw Error(ErrorCode::BadFormat, "storage " + key + " is missing from the archive",
                            path.string());
        };
        m_root = unpickle(static_cast<const std::uint8_t*>(pkl.get()), pklSize, check);
    } catch (const Error& e) {
        if (!e.context().empty())
            throw;
        throw Error(e.code(), e.message(), path.string());
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::BadFormat, "not a readable PyTorch archive: " + c10Message(e),
                    path.string());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorCode::BadFormat, "the archive claims more memory than is available",
                    path.string());
    }
}

TorchArchive::~TorchArchive() = default;

}  // namespace patchout::pickle
