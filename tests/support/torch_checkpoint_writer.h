// Writes torch.save-style zip checkpoints from C++, so the import tests can build wrapped,
// compiled, GPU-saved, hostile and corrupt checkpoints on the fly without Python: a small pickle
// emitter (protocol 2, the opcodes torch.save uses) plus LibTorch's own zip writer.
#pragma once

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace patchout::test {

class PickleWriter {
public:
    const std::string& bytes() const { return m_bytes; }
    void raw(const std::string& b) { m_bytes += b; }
    void op(unsigned char c) { m_bytes.push_back(static_cast<char>(c)); }

    void proto() {
        op(0x80);
        op(2);
    }
    void stop() { op('.'); }
    void global(const std::string& module, const std::string& name) {
        op('c');
        m_bytes += module + "\n" + name + "\n";
    }
    void str(const std::string& s) {
        op('X');
        le(s.size(), 4);
        m_bytes += s;
    }
    void integer(std::int64_t i) {
        if (i >= 0 && i < 256) {
            op('K');
            le(static_cast<std::uint64_t>(i), 1);
        } else if (i >= INT32_MIN && i <= INT32_MAX) {
            op('J');
            le(static_cast<std::uint64_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(i))), 4);
        } else {
            op(0x8a);
            op(8);
            le(static_cast<std::uint64_t>(i), 8);
        }
    }
    void real(double d) {
        op('G');
        std::uint64_t bits;
        std::memcpy(&bits, &d, 8);
        for (int i = 7; i >= 0; --i)
            op(static_cast<unsigned char>(bits >> (8 * i)));
    }
    void boolean(bool b) { op(b ? 0x88 : 0x89); }
    void none() { op('N'); }
    void mark() { op('('); }
    void tuple() { op('t'); }
    void emptyTuple() { op(')'); }
    void emptyDict() { op('}'); }
    void emptyList() { op(']'); }
    void setItems() { op('u'); }
    void appends() { op('e'); }
    void reduce() { op('R'); }
    void newObj() { op(0x81); }
    void build() { op('b'); }
    void persistentId() { op('Q'); }
    void put(unsigned char index) {
        op('q');
        op(index);
    }
    void get(unsigned char index) {
        op('h');
        op(index);
    }
    void ints(const std::vector<std::int64_t>& v) {
        mark();
        for (auto i : v)
            integer(i);
        tuple();
    }
    void orderedDict() {
        global("collections", "OrderedDict");
        emptyTuple();
        reduce();
    }

private:
    void le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            op(static_cast<unsigned char>(v >> (8 * i)));
    }
    std::string m_bytes;
};

// Collects the storages of the tensors a pickle refers to and writes the archive.
class TorchZipWriter {
public:
    struct Storage {
        std::string key;
        torch::Tensor data;
    };

    // Emits _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()) for `t` (float32,
    // stored contiguously), with the storage saved at `location` ("cpu", "cuda:0", ...).
    void tensor(PickleWriter& p, const torch::Tensor& t, const std::string& location = "cpu") {
        auto data = t.detach().to(torch::kFloat32).contiguous();
        const std::string key = std::to_string(m_storages.size());
        m_storages.push_back({key, data});
        view(p, key, data.numel(), 0, data.sizes().vec(), data.strides().vec(), location);
    }
    // Emits a tensor rebuild of any view on the FloatStorage `key` of `numel` elements, whether
    // or not that storage is written (corrupt files are made this way).
    static void view(PickleWriter& p, const std::string& key, std::int64_t numel, std::int64_t offset,
                     const std::vector<std::int64_t>& size, const std::vector<std::int64_t>& stride,
                     const std::string& location = "cpu") {
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.mark();
        p.mark();
        p.str("storage");
        p.global("torch", "FloatStorage");
        p.str(key);
        p.str(location);
        p.integer(numel);
        p.tuple();
        p.persistentId();
        p.integer(offset);
        p.ints(size);
        p.ints(stride);
        p.boolean(false);
        p.orderedDict();
        p.tuple();
        p.reduce();
    }

    // Writes a state_dict (OrderedDict of key -> tensor) with every key prefixed.
    void stateDict(PickleWriter& p, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                   const std::string& prefix = "", const std::string& location = "cpu") {
        p.orderedDict();
        p.mark();
        for (const auto& [key, t] : tensors) {
            p.str(prefix + key);
            tensor(p, t, location);
        }
        p.setItems();
    }
    // Adds prefixed entries to the dict being built (between mark() and setItems()).
    void entries(PickleWriter& p, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::string& prefix, const std::string& location = "cpu") {
        for (const auto& [key, t] : tensors) {
            p.str(prefix + key);
            tensor(p, t, location);
        }
    }

    std::vector<Storage>& storages() { return m_storages; }

    // The archive's folder is named after the file, as torch.save does.
    void write(const std::filesystem::path& path, const PickleWriter& p, bool withStorages = true) {
        caffe2::serialize::PyTorchStreamWriter writer(path.string());
        writer.writeRecord("data.pkl", p.bytes().data(), p.bytes().size());
        writer.writeRecord("byteorder", "little", 6);
        if (withStorages)
            for (const auto& s : m_storages)
                writer.writeRecord("data/" + s.key, s.data.data_ptr(),
                                   static_cast<std::size_t>(s.data.numel()) * sizeof(float));
        writer.writeEndOfFile();
    }

private:
    std::vector<Storage> m_storages;
};

}  // namespace patchout::test
