// A torch.save zip archive (PyTorch 1.6 and later) opened for reading: its data.pkl unpickled as
// data (pickle.h), each storage checked to exist, tensors loaded on demand. The archive and the
// pickle are read here without LibTorch's tensor headers, which Clang 14 cannot parse in C++20, so
// the fuzz target fuzz_torch_archive links this file; load() lives in checkpoint.cpp. Internal to
// core.
#pragma once

#include "model/pickle.h"

#include <c10/core/ScalarType.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}
namespace caffe2::serialize {
class PyTorchStreamReader;
}

namespace patchout::pickle {

// LibTorch's element type for ours, and ours for LibTorch's (nothing for a type not stored).
at::ScalarType scalarType(DType dtype);
std::optional<DType> dtypeOf(at::ScalarType type);

// A torch.save zip archive opened for reading: the unpickled data.pkl, tensors loaded on demand.
class TorchArchive {
public:
    // Throws Error(FileNotFound) or Error(BadFormat / Unsupported) naming the file.
    explicit TorchArchive(const std::filesystem::path& path);
    ~TorchArchive();

    const Value& root() const noexcept { return *m_root.root; }
    const std::vector<std::string>& ignoredGlobals() const noexcept { return m_root.ignored_globals; }
    // A contiguous CPU copy of a Tensor value, in its stored dtype.
    // Defined in checkpoint.cpp (it needs LibTorch's tensors).
    at::Tensor load(const Value& tensor) const;

private:
    std::filesystem::path m_path;
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> m_reader;
    Unpickled m_root;
};

// True when the file starts like a zip archive (the torch.save format since PyTorch 1.6).
bool looksLikeZip(const std::filesystem::path& path);

// The first line of a LibTorch error, without the source location it appends.
std::string c10Message(const c10::Error& error);

}  // namespace patchout::pickle
