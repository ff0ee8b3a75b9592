#include "patchout/checkpoint.h"

#include "model/passt_module.h"
#include "model/safetensors.h"
#include "model/torch_archive.h"
#include "patchout/error.h"
#include "patchout/files.h"

#include <caffe2/serialize/inline_container.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors and torch.save store little-endian data");

constexpr const char* kFormat = "patchout-passt";
constexpr const char* kFormatVersion = "1";

// ---- the project's format: safetensors --------------------------------------------------------

[[noreturn]] void badFile(const fs::path& path, const std::string& what) {
    throw Error(ErrorCode::BadFormat, what, path.string());
}

std::string storedName(at::ScalarType type) {
    const auto dtype = pickle::dtypeOf(type);
    return dtype ? dtypeName(*dtype) : "?";
}

at::ScalarType storedType(const std::string& name) {
    return pickle::scalarType(*dtypeNamed(name));  // the header reader accepted only known names
}

torch::Tensor readTensor(const fs::path& path, std::ifstream& in, const SafetensorsHeader& h,
                         const StoredTensor& t) {
    auto tensor = torch::empty(t.info.shape, torch::TensorOptions().dtype(storedType(t.info.dtype)));
    in.seekg(static_cast<std::streamoff>(h.data_start + t.begin));
    if (!in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(t.end - t.begin)))
        badFile(path, "cannot read tensor '" + t.info.name + "'");
    return tensor;
}

std::vector<std::string> parseLabels(const fs::path& path, const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        std::vector<std::string> labels;
        if (!j.is_array())
            badFile(path, "labels are not a JSON array");
        for (const auto& l : j) {
            if (!l.is_string())
                badFile(path, "a label is not a string");
            labels.push_back(l.get<std::string>());
        }
        return labels;
    } catch (const nlohmann::json::exception&) {
        badFile(path, "labels are not valid JSON");
    }
}

bool isReserved(const std::string& key) {
    return key == "format" || key == "format_version" || key == "passt_options" || key == "labels";
}

// ---- official checkpoints -----------------------------------------------------------------------

// The weights of a torch checkpoint: the dict of tensors and where it sat.
struct Weights {
    std::string wrapper;
    std::vector<std::pair<std::string, const pickle::Value*>> tensors;  // full key, Tensor value
};

Weights locateWeights(const pickle::Value& root, const fs::path& path) {
    if (root.kind != pickle::Kind::Dict)
        badFile(path, "the checkpoint is not a dict of tensors");
    Weights w;
    const pickle::Value* dict = &root;
    // Training frameworks keep the weights under "state_dict"; the official loader unwraps "model".
    for (const char* key : {"state_dict", "model"})
        if (const auto* inner = root.find(key); inner && inner->kind == pickle::Kind::Dict) {
            dict = inner;
            w.wrapper = key;
            break;
        }
    for (const auto& [k, v] : dict->entries)
        if (k->kind == pickle::Kind::String && v->kind == pickle::Kind::Tensor)
            w.tensors.emplace_back(k->text, v.get());
    return w;
}

// A PaSST copy inside the weights: keys `prefix + official key`. Its name drops the trailing dot
// and a torch.compile `_orig_mod.` ("net._orig_mod." is the copy "net").
struct Copy {
    std::string name;
    std::string prefix;
};

std::vector<Copy> findCopies(const Weights& w) {
    std::vector<Copy> copies;
    const std::string marker = "cls_token";
    for (const auto& [key, v] : w.tensors) {
        if (key.size() < marker.size() || key.compare(key.size() - marker.size(), marker.size(), marker) != 0)
            continue;
        const std::string prefix = key.substr(0, key.size() - marker.size());
        if (!prefix.empty() && prefix.back() != '.')
            continue;
        std::string name = prefix;
        const std::string compiled = "_orig_mod.";
        if (name.size() >= compiled.size() && name.compare(name.size() - compiled.size(), compiled.size(), compiled) == 0)
            name.resize(name.size() - compiled.size());
        if (!name.empty() && name.back() == '.')
            name.pop_back();
        copies.push_back({name, prefix});
    }
    return copies;
}

std::string joinNames(const std::vector<std::string>& names, std::size_t most = 8) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < most; ++i) {
        out += i ? ", " : "";
        out += names[i].empty() ? std::string("<plain state_dict>") : names[i];
    }
    if (names.size() > most)
        out += ", ... (" + std::to_string(names.size()) + " in all)";
    return out;
}

const Copy& chooseCopy(const std::vector<Copy>& copies, const std::string& wanted, const fs::path& path) {
    if (copies.empty())
        throw Error(ErrorCode::Model, "no PaSST weights in the checkpoint (no key ending in cls_token)",
                    path.string());
    std::vector<std::string> names;
    for (const auto& c : copies)
        names.push_back(c.name);
    const std::string want = wanted.empty() && copies.size() > 1 ? "net" : wanted;
    if (want.empty())
        return copies.front();
    for (const auto& c : copies)
        if (c.name == want)
            return c;
    throw Error(ErrorCode::Model, "the checkpoint has no copy '" + want + "' (copies: " + joinNames(names) +
                                      ")",
                path.string());
}

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

PaSSTOptions inferOptions(const Shapes& shapes, const ImportOptions& io, const fs::path& path) {
    auto shapeOf = [&](const std::string& key, std::size_t rank) -> const std::vector<std::int64_t>& {
        auto it = shapes.find(key);
        if (it == shapes.end())
            throw Error(ErrorCode::Model, "not a PaSST checkpoint: no " + key, path.string());
        if (it->second.size() != rank)
            throw Error(ErrorCode::Model, key + " has " + std::to_string(it->second.size()) +
                                              " dimensions, PaSST's has " + std::to_string(rank),
                        path.string());
        return it->second;
    };
    PaSSTOptions o;
    o.embed_dim = static_cast<int>(shapeOf("cls_token", 3)[2]);
    o.distilled = shapes.count("dist_token") > 0;
    const auto& conv = shapeOf("patch_embed.proj.weight", 4);
    if (conv[2] != conv[3])
        throw Error(ErrorCode::Model, "non-square patches are not supported", path.string());
    o.in_chans = static_cast<int>(conv[1]);
    o.patch_size = static_cast<int>(conv[2]);
    o.depth = 0;
    while (shapes.count("blocks." + std::to_string(o.depth) + ".norm1.weight"))
        ++o.depth;
    if (o.depth == 0)
        throw Error(ErrorCode::Model, "not a PaSST checkpoint: no blocks", path.string());
    o.mlp_ratio = static_cast<double>(shapeOf("blocks.0.mlp.fc1.weight", 2)[0]) / o.embed_dim;
    o.qkv_bias = shapes.count("blocks.0.attn.qkv.bias") > 0;
    o.num_classes = static_cast<int>(shapeOf("head.1.weight", 2)[0]);
    const auto freqPositions = shapeOf("freq_new_pos_embed", 4)[2];
    const auto timePositions = shapeOf("time_new_pos_embed", 4)[3];
    o.n_mels = io.n_mels;
    o.stride_f = io.stride_f;
    o.stride_t = io.stride_t;
    if (io.stride_f < 1 || io.stride_t < 1 || io.n_mels < 1)
        throw Error(ErrorCode::InvalidArgument, "n_mels and the strides must be >= 1");
    if (o.n_mels / o.stride_f != freqPositions)
        throw Error(ErrorCode::Model,
                    "the checkpoint has " + std::to_string(freqPositions) +
                        " frequency positions; n_mels " + std::to_string(o.n_mels) + " / stride_f " +
                        std::to_string(o.stride_f) + " gives " + std::to_string(o.n_mels / o.stride_f) +
                        ": give the model's n_mels and stride",
                    path.string());
    // The smallest input length that gives the checkpoint's time positions.
    o.input_frames = static_cast<int>(timePositions) * o.stride_t;
    if (io.num_heads > 0) {
        o.num_heads = io.num_heads;
    } else {
        if (o.embed_dim % 64 != 0)
            throw Error(ErrorCode::Model,
                        "embed_dim " + std::to_string(o.embed_dim) +
                            " is not a multiple of 64: the number of heads cannot be guessed, give it",
                        path.string());
        o.num_heads = o.embed_dim / 64;
    }
    if (io.num_classes > 0)
        o.num_classes = io.num_classes;
    o.patchout = io.patchout;
    try {
        o.validate();
    } catch (const Error& e) {
        throw Error(ErrorCode::Model, "the checkpoint's architecture is not valid: " + e.message(),
                    path.string());
    }
    return o;
}

struct Selected {
    std::string copy;
    std::string prefix;
    std::map<std::string, const pickle::Value*> tensors;  // official key -> tensor
    Shapes shapes;
    std::vector<std::string> skipped;
};

Selected selectCopy(const Weights& w, const std::string& wanted, const fs::path& path) {
    const auto copies = findCopies(w);
    const Copy& chosen = chooseCopy(copies, wanted, path);
    Selected s;
    s.copy = chosen.name;
    s.prefix = chosen.prefix;
    for (const auto& [key, value] : w.tensors) {
        bool ours = key.compare(0, chosen.prefix.size(), chosen.prefix) == 0;
        for (const auto& other : copies)
            if (ours && other.prefix.size() > chosen.prefix.size() &&
                key.compare(0, other.prefix.size(), other.prefix) == 0)
                ours = false;  // the plain copy's prefix "" matches every other copy's keys too
        const std::string local = ours ? key.substr(chosen.prefix.size()) : std::string();
        // The HEAR embedding wrapper's device_proxy only tracks the device; it is not a weight.
        if (!ours || local == "device_proxy") {
            s.skipped.push_back(key);
            continue;
        }
        s.tensors[local] = value;
        s.shapes[local] = value->tensor.sizes;
    }
    return s;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    return TensorInfo{{}, {}, shape}.shapeText();
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void saveModel(const fs::path& path, const PaSSTModel& model, const std::vector<std::string>& labels,
               const std::map<std::string, std::string>& metadata) {
    const auto& options = model.options();
    if (!labels.empty() && static_cast<int>(labels.size()) != options.num_classes)
        throw Error(ErrorCode::InvalidArgument,
                    std::to_string(labels.size()) + " labels for " + std::to_string(options.num_classes) +
                        " classes",
                    path.string());
    nlohmann::ordered_json meta = {{"format", kFormat},
                                   {"format_version", kFormatVersion},
                                   {"passt_options", passtOptionsToJson(options)}};
    if (!labels.empty())
        meta["labels"] = nlohmann::json(labels).dump();
    for (const auto& [k, v] : metadata) {
        if (isReserved(k))
            throw Error(ErrorCode::InvalidArgument, "metadata key '" + k + "' is reserved", path.string());
        meta[k] = v;
    }
    nlohmann::ordered_json header;
    header["__metadata__"] = meta;
    std::vector<torch::Tensor> data;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : model.module()->uniqueParameters()) {  // a shared tensor once
        auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * sizeof(float);
        header[name] = {{"dtype", "F32"}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(std::move(t));
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // keeps the tensor data 8-byte aligned
    writeFileAtomically(path, [&](std::ostream& out) {
        const std::uint64_t size = text.size();
        out.write(reinterpret_cast<const char*>(&size), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : data)
            out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * 4));
    });
}

ModelCheckpoint loadModel(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "cannot open model file", path.string());
    const SafetensorsHeader h = readSafetensorsHeader(path, in);
    auto format = h.metadata.find("format");
    if (format == h.metadata.end() || format->second != kFormat)
        throw Error(ErrorCode::BadFormat,
                    "not a Patchout model file (a plain safetensors file has no model options; "
                    "import official PyTorch checkpoints with `patchout model import`)",
                    path.string());
    if (auto v = h.metadata.find("format_version"); v == h.metadata.end() || v->second != kFormatVersion)
        throw Error(ErrorCode::Unsupported, "model file format version " +
                                                (v == h.metadata.end() ? std::string("?") : v->second) +
                                                " (this build reads " + kFormatVersion + ")",
                    path.string());
    auto optionsText = h.metadata.find("passt_options");
    if (optionsText == h.metadata.end())
        badFile(path, "no model options in the header");
    PaSSTOptions options;
    try {
        options = passtOptionsFromJson(optionsText->second);
        options.validate();
    } catch (const Error& e) {
        throw Error(ErrorCode::BadFormat, "bad model options: " + e.message(), path.string());
    }
    ModelCheckpoint ckpt{PaSSTModelAccess::uninitialized(options), {}, {}};
    for (const auto& [k, v] : h.metadata)
        if (!isReserved(k))
            ckpt.metadata[k] = v;
    if (auto l = h.metadata.find("labels"); l != h.metadata.end()) {
        ckpt.labels = parseLabels(path, l->second);
        if (static_cast<int>(ckpt.labels.size()) != options.num_classes)
            badFile(path, std::to_string(ckpt.labels.size()) + " labels for " +
                              std::to_string(options.num_classes) + " classes");
    }
    std::map<std::string, const StoredTensor*> stored;
    for (const auto& t : h.tensors)
        stored[t.info.name] = &t;
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : ckpt.model.module()->uniqueParameters()) {
        auto it = stored.find(name);
        if (it == stored.end())
            throw Error(ErrorCode::Model, "tensor '" + name + "' is missing", path.string());
        const auto& info = it->second->info;
        if (info.shape != tensor.sizes().vec())
            throw Error(ErrorCode::Model,
                        "tensor '" + name + "' has shape " + shapeText(info.shape) + ", the model " +
                            shapeText(tensor.sizes().vec()),
                        path.string());
        if (!dtypeInfo(*dtypeNamed(info.dtype)).floating)
            badFile(path, "tensor '" + name + "' is not floating point");
        tensor.copy_(readTensor(path, in, h, *it->second).to(torch::kFloat32));
        stored.erase(it);
    }
    if (!stored.empty())
        throw Error(ErrorCode::Model, "the file has tensors the model does not: " + stored.begin()->first,
                    path.string());
    return ckpt;
}

CheckpointInfo inspectCheckpoint(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::FileNotFound, "no such model file", path.string());
    CheckpointInfo info;
    if (pickle::looksLikeZip(path)) {
        info.format = CheckpointFormat::TorchZip;
        pickle::TorchArchive archive(path);
        const Weights w = locateWeights(archive.root(), path);
        info.wrapper = w.wrapper;
        info.ignored_globals = archive.ignoredGlobals();
        for (const auto& [key, v] : w.tensors)
            info.tensors.push_back({key, dtypeName(v->tensor.dtype), v->tensor.sizes});
        for (const auto& c : findCopies(w))
            info.copies.push_back(c.name);
        try {
            info.options = inferOptions(selectCopy(w, {}, path).shapes, ImportOptions{}, path);
        } catch (const Error&) {
            // Not a PaSST (or not with the default strides): the listing is still useful.
        }
        return info;
    }
    std::ifstream in(path, std::ios::binary);
    const SafetensorsHeader h = readSafetensorsHeader(path, in);
    info.format = CheckpointFormat::Patchout;
    for (const auto& t : h.tensors)
        info.tensors.push_back(t.info);
    for (const auto& [k, v] : h.metadata)
        if (k == "labels")
            info.labels = parseLabels(path, v);
        else if (k != "passt_options")
            info.metadata[k] = v;
    if (auto o = h.metadata.find("passt_options"); o != h.metadata.end())
        info.options = passtOptionsFromJson(o->second);
    return info;
}

ImportedModel importCheckpoint(const fs::path& path, const ImportOptions& io, const JobControl* job) {
    pickle::TorchArchive archive(path);
    const Weights w = locateWeights(archive.root(), path);
    Selected sel = selectCopy(w, io.copy, path);
    const PaSSTOptions options = inferOptions(sel.shapes, io, path);
    const int fileClasses = static_cast<int>(sel.shapes.at("head.1.weight")[0]);
    const bool newHead = options.num_classes != fileClasses;

    ImportedModel out{PaSSTModelAccess::uninitialized(options), {}};
    if (newHead)
        initializeHead(*out.model.module(), io.seed);
    ImportReport& report = out.report;
    report.copy = sel.copy;
    report.skipped = sel.skipped;
    report.ignored_globals = archive.ignoredGlobals();

    // Check every key and shape before reading any weight, and name all that do not fit.
    auto params = out.model.module()->named_parameters();
    std::vector<std::string> problems;
    struct Planned {
        std::string key;
        torch::Tensor param;
        const pickle::Value* value;
    };
    std::vector<Planned> plan;
    for (auto& p : params) {
        const bool head = startsWith(p.key(), "head.1.") || startsWith(p.key(), "head_dist.");
        auto it = sel.tensors.find(p.key());
        if (newHead && head) {
            report.reinitialized.push_back(p.key());
            if (it != sel.tensors.end()) {
                report.skipped.push_back(sel.prefix + p.key());
                sel.tensors.erase(it);
            }
            continue;
        }
        if (it == sel.tensors.end()) {
            problems.push_back("missing " + p.key());
            continue;
        }
        if (it->second->tensor.sizes != p.value().sizes().vec())
            problems.push_back(p.key() + " is " + shapeText(it->second->tensor.sizes) + ", expected " +
                               shapeText(p.value().sizes().vec()));
        else
            plan.push_back({p.key(), p.value(), it->second});
        sel.tensors.erase(it);
    }
    for (const auto& [key, v] : sel.tensors)
        problems.push_back("unexpected " + key);
    if (!problems.empty())
        throw Error(ErrorCode::Model, "the checkpoint does not fit PaSST (" +
                                          std::to_string(options.embed_dim) + " wide, " +
                                          std::to_string(options.depth) + " blocks): " + joinNames(problems),
                    path.string());

    torch::NoGradGuard noGrad;
    std::int64_t step = 0;
    for (auto& [key, param, value] : plan) {
        if (job)
            job->throwIfCancelled();
        auto tensor = archive.load(*value);
        if (tensor.scalar_type() != torch::kFloat32) {
            if (!at::isFloatingType(tensor.scalar_type()))
                throw Error(ErrorCode::Model,
                            key + " is stored as " + storedName(tensor.scalar_type()) +
                                ", not as floating point",
                            path.string());
            report.converted.push_back(key + " (" + storedName(tensor.scalar_type()) + ")");
        }
        param.copy_(tensor.to(torch::kFloat32));
        ++report.tensors;
        if (job)
            job->report({++step, static_cast<std::int64_t>(plan.size()), "importing weights", {}});
    }
    if (io.target_n_mels < 0 || io.target_input_frames < 0)
        throw Error(ErrorCode::InvalidArgument, "target n_mels and input_frames must be >= 0", path.string());
    const int mels = io.target_n_mels > 0 ? io.target_n_mels : options.n_mels;
    const int frames = io.target_input_frames > 0 ? io.target_input_frames : options.input_frames;
    PaSSTOptions target = options;
    target.n_mels = mels;
    target.input_frames = frames;
    // Same grid (e.g. 998 frames asked, 990 inferred): nothing to interpolate.
    if (target.freqPositions() != options.freqPositions() || target.timePositions() != options.timePositions())
        out.model.module()->resizePositions(mels, frames);
    out.model.setTraining(false);
    return out;
}

// Here rather than in torch_archive.cpp: it needs LibTorch's tensors (see torch_archive.h).
torch::Tensor pickle::TorchArchive::load(const Value& value) const {
    if (value.kind != pickle::Kind::Tensor)
        throw Error(ErrorCode::Internal, "load() of a non-tensor value", m_path.string());
    const pickle::TensorRef& ref = value.tensor;
    try {
        auto [ptr, bytes] = m_reader->getRecord("data/" + ref.storage_key);
        const auto expected = static_cast<std::size_t>(ref.storage_numel) * elementSize(ref.dtype);
        if (bytes != expected)
            throw Error(ErrorCode::BadFormat,
                        "storage " + ref.storage_key + " holds " + std::to_string(bytes) +
                            " bytes, " + std::to_string(expected) + " expected",
                        m_path.string());
        auto storage = torch::empty({ref.storage_numel}, torch::TensorOptions().dtype(pickle::scalarType(ref.dtype)));
        if (bytes > 0)
            std::memcpy(storage.data_ptr(), ptr.get(), bytes);
        // as_strided was validated against storage_numel when the pickle was read.
        return storage.as_strided(ref.sizes, ref.strides, ref.offset).contiguous();
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::BadFormat, "cannot read storage " + ref.storage_key + ": " + pickle::c10Message(e),
                    m_path.string());
    }
}


}  // namespace patchout
