// A restricted reader of PyTorch checkpoints (torch.save zip archives), for importing official
// PaSST weights without Python and without trusting the file. The pickle is interpreted as data
// only: dicts, lists, tuples, strings, numbers, OrderedDict and tensor rebuilds
// (torch._utils._rebuild_tensor_v2 over torch.*Storage). Any other global is never resolved: it
// becomes an inert Opaque value, recorded in ignoredGlobals(). Every size, offset and stride is
// checked against the stored bytes, so a corrupt or hostile file gives Error(BadFormat), never a
// crash. Internal to core (includes torch).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace caffe2::serialize {
class PyTorchStreamReader;
}

namespace patchout::pickle {

enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor, Opaque };

struct Value;
using ValuePtr = std::shared_ptr<Value>;

// Where a tensor's elements live: a storage record of the archive plus the strided view on it,
// validated to lie inside the storage.
struct TensorRef {
    std::string storage_key;
    at::ScalarType dtype = at::kFloat;
    std::int64_t storage_numel = 0;
    std::int64_t offset = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
};

struct Value {
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::string text;  // String, Bytes, the "module.name" of a Global or Opaque
    std::vector<ValuePtr> items;                            // Tuple, List
    std::vector<std::pair<ValuePtr, ValuePtr>> entries;     // Dict, in insertion order
    TensorRef tensor;                                       // Storage (key, dtype, numel), Tensor

    Value() = default;
    explicit Value(Kind k) : kind(k) {}
    Value(const Value&) = delete;
    Value& operator=(const Value&) = delete;

    // Dict lookup by string key (the last entry wins, as in Python); nullptr when absent.
    const Value* find(const std::string& key) const;
};

// Reads storage records for BINPERSID ids: (key, dtype, numel). Returns nothing; the reader only
// checks that the record exists with the right size, tensors are loaded later.
using StorageCheck = std::function<void(const std::string& key, at::ScalarType dtype, std::int64_t numel)>;

// Owns every value of one pickle. The memo lets a pickle put a container inside itself, and
// nesting can be a million deep: on destruction the arena unlinks all values first, so cycles do
// not leak and nothing is freed recursively.
class ValueArena {
public:
    ValueArena() = default;
    ValueArena(ValueArena&&) noexcept = default;
    ValueArena& operator=(ValueArena&& other) noexcept;
    ~ValueArena() { unlink(); }
    ValuePtr make(Kind kind);

private:
    void unlink() noexcept;
    std::vector<ValuePtr> m_values;
};

struct Unpickled {
    ValueArena arena;  // declared first: destroyed last, after root is released
    ValuePtr root;
    std::vector<std::string> ignored_globals;  // globals seen but not interpreted, sorted, unique
};

// Interprets pickle protocol 2-5 opcodes as data. Throws Error(BadFormat) with the byte offset.
Unpickled unpickle(const std::uint8_t* data, std::size_t size, const StorageCheck& checkStorage);

// Element type name as safetensors writes it ("F32", "BF16", "I64", ...).
std::string dtypeName(at::ScalarType dtype);

// A torch.save zip archive opened for reading: the unpickled data.pkl, tensors loaded on demand.
class TorchArchive {
public:
    // Throws Error(FileNotFound) or Error(BadFormat / Unsupported) naming the file.
    explicit TorchArchive(const std::filesystem::path& path);
    ~TorchArchive();

    const Value& root() const noexcept { return *m_root.root; }
    const std::vector<std::string>& ignoredGlobals() const noexcept { return m_root.ignored_globals; }
    // A contiguous CPU copy of a Tensor value, in its stored dtype.
    torch::Tensor load(const Value& tensor) const;

private:
    std::filesystem::path m_path;
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> m_reader;
    Unpickled m_root;
};

// True when the file starts like a zip archive (the torch.save format since PyTorch 1.6).
bool looksLikeZip(const std::filesystem::path& path);

}  // namespace patchout::pickle
