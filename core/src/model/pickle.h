// A restricted reader of Python pickles as torch.save writes them, for importing official PaSST
// weights without Python and without trusting the file. The pickle is interpreted as data only:
// dicts, lists, tuples, strings, numbers, OrderedDict and tensor rebuilds
// (torch._utils._rebuild_tensor_v2 over torch.*Storage). Any other global is never resolved: it
// becomes an inert Opaque value, recorded in ignored_globals. Every size, offset and stride is
// checked against the stored bytes, so a corrupt or hostile pickle gives Error(BadFormat), never a
// crash. No LibTorch here (the fuzz target fuzz_pickle links it alone); the zip archive around the
// pickle is torch_archive.h. Internal to core.
#pragma once

#include "model/dtype.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace patchout::pickle {

enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor, Opaque };

struct Value;
using ValuePtr = std::shared_ptr<Value>;

// Where a tensor's elements live: a storage record of the archive plus the strided view on it,
// validated to lie inside the storage.
struct TensorRef {
    std::string storage_key;
    DType dtype = DType::F32;
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
using StorageCheck = std::function<void(const std::string& key, DType dtype, std::int64_t numel)>;

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

}  // namespace patchout::pickle
