#include "model/passt_module.h"

#include "patchout/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <random>

namespace patchout {
namespace {

// `keep` of 0..n-1, sorted: a partial Fisher-Yates shuffle on our own generator, so that masks are
// the same on every platform for a given seed.
std::vector<std::int64_t> keepSorted(std::int64_t n, std::int64_t keep, std::mt19937_64& rng) {
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        all[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = 0; i < keep; ++i) {
        const auto j = i + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n - i));
        std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
    }
    all.resize(static_cast<std::size_t>(keep));
    std::sort(all.begin(), all.end());
    return all;
}

}  // namespace

int PatchoutMask::keptCount(int mask) const {
    if (mask < 0 || mask >= masks())
        throw Error(ErrorCode::InvalidArgument, "patchout mask " + std::to_string(mask) + " of " +
                                                    std::to_string(masks()));
    return static_cast<int>(kept[static_cast<std::size_t>(mask)].size());
}

bool PatchoutMask::isKept(int sample, int f, int t) const {
    if (f < 0 || f >= freq_patches || t < 0 || t >= time_patches)
        throw Error(ErrorCode::InvalidArgument, "patch (" + std::to_string(f) + ", " + std::to_string(t) +
                                                    ") is outside the " + std::to_string(freq_patches) +
                                                    " x " + std::to_string(time_patches) + " grid");
    const auto& k = kept[static_cast<std::size_t>(per_sample ? sample : 0)];
    return std::binary_search(k.begin(), k.end(), static_cast<std::int64_t>(f) * time_patches + t);
}

std::vector<std::pair<int, int>> PatchoutMask::keptCells(int sample) const {
    const int m = per_sample ? sample : 0;
    keptCount(m);  // range check
    std::vector<std::pair<int, int>> cells;
    for (auto flat : kept[static_cast<std::size_t>(m)])
        cells.emplace_back(static_cast<int>(flat / time_patches), static_cast<int>(flat % time_patches));
    return cells;
}

PatchoutMask drawPatchoutMask(const PatchoutOptions& options, int freq_patches, int time_patches,
                              std::uint64_t seed, int batch) {
    if (freq_patches < 1 || time_patches < 1 || batch < 1)
        throw Error(ErrorCode::InvalidArgument, "a patchout mask needs a grid and a batch of at least 1");
    if (options.s_patchout_t < 0 || options.s_patchout_f < 0 || options.u_patchout < 0)
        throw Error(ErrorCode::InvalidArgument, "patchout counts must be >= 0");
    if (options.s_patchout_t >= time_patches)
        throw Error(ErrorCode::InvalidArgument,
                    "s_patchout_t " + std::to_string(options.s_patchout_t) + " would drop all " +
                        std::to_string(time_patches) + " time patches; use longer inputs or less patchout");
    if (options.s_patchout_f >= freq_patches)
        throw Error(ErrorCode::InvalidArgument, "s_patchout_f " + std::to_string(options.s_patchout_f) +
                                                    " would drop all " + std::to_string(freq_patches) +
                                                    " frequency patches");
    const std::int64_t rows = freq_patches - options.s_patchout_f;
    const std::int64_t cols = time_patches - options.s_patchout_t;
    if (options.u_patchout >= rows * cols)
        throw Error(ErrorCode::InvalidArgument, "u_patchout " + std::to_string(options.u_patchout) +
                                                    " would drop all " + std::to_string(rows * cols) +
                                                    " patches left by structured patchout");
    PatchoutMask mask;
    mask.freq_patches = freq_patches;
    mask.time_patches = time_patches;
    mask.per_sample = options.per_sample;
    std::mt19937_64 rng(seed);
    const int count = options.per_sample ? batch : 1;
    for (int m = 0; m < count; ++m) {
        // As the reference: time columns, then frequency rows, then single patches of what is left.
        const auto times = keepSorted(time_patches, cols, rng);
        const auto freqs = keepSorted(freq_patches, rows, rng);
        std::vector<std::int64_t> cells;
        cells.reserve(static_cast<std::size_t>(rows * cols));
        for (auto f : freqs)
            for (auto t : times)
                cells.push_back(f * time_patches + t);
        std::vector<std::int64_t> kept;
        for (auto i : keepSorted(rows * cols, rows * cols - options.u_patchout, rng))
            kept.push_back(cells[static_cast<std::size_t>(i)]);
        mask.kept.push_back(std::move(kept));
    }
    return mask;
}

std::string positionalEncodingName(PositionalEncoding encoding) {
    switch (encoding) {
    case PositionalEncoding::Learned: return "learned";
    case PositionalEncoding::Sinusoidal: return "sinusoidal";
    case PositionalEncoding::None: return "none";
    }
    return "learned";
}

PositionalEncoding positionalEncodingFromName(const std::string& name) {
    if (name == "learned") return PositionalEncoding::Learned;
    if (name == "sinusoidal") return PositionalEncoding::Sinusoidal;
    if (name == "none") return PositionalEncoding::None;
    throw Error(ErrorCode::InvalidArgument,
                "unknown positional encoding '" + name + "' (learned, sinusoidal, none)");
}

std::string headPoolingName(HeadPooling pooling) {
    return pooling == HeadPooling::Patches ? "patches" : "tokens";
}

HeadPooling headPoolingFromName(const std::string& name) {
    if (name == "tokens") return HeadPooling::Tokens;
    if (name == "patches") return HeadPooling::Patches;
    throw Error(ErrorCode::InvalidArgument, "unknown head pooling '" + name + "' (tokens, patches)");
}

std::string parameterSharingName(ParameterSharing sharing) {
    switch (sharing) {
    case ParameterSharing::None: return "none";
    case ParameterSharing::All: return "all";
    case ParameterSharing::Attention: return "attention";
    case ParameterSharing::Mlp: return "mlp";
    }
    return "none";
}

ParameterSharing parameterSharingFromName(const std::string& name) {
    for (ParameterSharing s : {ParameterSharing::None, ParameterSharing::All, ParameterSharing::Attention,
                               ParameterSharing::Mlp})
        if (parameterSharingName(s) == name)
            return s;
    throw Error(ErrorCode::InvalidArgument, "parameter sharing must be none, all, attention or mlp, not '" + name + "'");
}

int PaSSTOptions::sharedWith(int block, ParameterSharing what) const noexcept {
    const bool covered = sharing == ParameterSharing::All || (sharing != ParameterSharing::None && sharing == what);
    return covered && sharing_group > 1 ? block - block % sharing_group : block;
}

bool PaSSTOptions::pruned() const noexcept {
    return std::any_of(block_heads.begin(), block_heads.end(), [&](int h) { return h < num_heads; });
}

void PaSSTOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::InvalidArgument, what); };
    auto positive = [&](int v, const char* name) {
        if (v < 1)
            bad(std::string(name) + " must be >= 1, got " + std::to_string(v));
    };
    positive(n_mels, "n_mels");
    positive(input_frames, "input_frames");
    positive(patch_size, "patch_size");
    positive(stride_f, "stride_f");
    positive(stride_t, "stride_t");
    positive(in_chans, "in_chans");
    positive(num_classes, "num_classes");
    positive(embed_dim, "embed_dim");
    positive(depth, "depth");
    positive(num_heads, "num_heads");
    if (embed_dim % num_heads != 0)
        bad("embed_dim " + std::to_string(embed_dim) + " is not divisible by num_heads " +
            std::to_string(num_heads));
    if (!block_heads.empty()) {
        if (static_cast<int>(block_heads.size()) != depth)
            bad("block_heads has " + std::to_string(block_heads.size()) + " entries for " + std::to_string(depth) +
                " blocks");
        for (int h : block_heads)
            if (h < 1 || h > num_heads)
                bad("block_heads entries must lie in [1, num_heads], got " + std::to_string(h));
    }
    if (sharing != ParameterSharing::None && sharing_group < 2)
        bad("sharing_group must be at least 2 when blocks share parameters");
    if (!block_heads.empty())
        for (int b = 0; b < depth; ++b)
            if (headsOf(sharedWith(b, ParameterSharing::Attention)) != headsOf(b))
                bad("blocks that share their attention must keep the same heads");
    if (n_mels < patch_size)
        bad("n_mels " + std::to_string(n_mels) + " is smaller than patch_size " +
            std::to_string(patch_size));
    if (input_frames < patch_size)
        bad("input_frames " + std::to_string(input_frames) + " is smaller than patch_size " +
            std::to_string(patch_size));
    if (freqPositions() < freqPatches())
        bad("n_mels / stride_f gives fewer frequency positions than patches");
    if (!(mlp_ratio > 0) || mlpHidden() < 1)
        bad("mlp_ratio must give at least one hidden unit");
    for (auto [rate, name] : {std::pair{drop_rate, "drop_rate"}, {attn_drop_rate, "attn_drop_rate"},
                              {drop_path_rate, "drop_path_rate"}})
        if (!(rate >= 0 && rate < 1))
            bad(std::string(name) + " must be in [0, 1)");
    if (patchout.s_patchout_t < 0 || patchout.s_patchout_f < 0 || patchout.u_patchout < 0)
        bad("patchout counts must be >= 0");
    if (patchout.s_patchout_f >= freqPatches())
        bad("s_patchout_f " + std::to_string(patchout.s_patchout_f) + " would drop all " +
            std::to_string(freqPatches()) + " frequency patches");
}

PaSSTOptions passtPreset(const std::string& name) {
    PaSSTOptions o;  // the defaults are PaSST-S for AudioSet
    if (name == "passt-s") {
        o.patchout = {.s_patchout_t = 40, .s_patchout_f = 4, .u_patchout = 0};
        return o;
    }
    if (name == "passt-mini" || name == "tiny") {  // "tiny": the training issue's name for it
        o.input_frames = 100;
        o.num_classes = 10;
        o.embed_dim = 192;
        o.depth = 4;
        o.num_heads = 3;
        o.patchout = {.s_patchout_t = 2, .s_patchout_f = 2, .u_patchout = 0};
        o.head_pooling = HeadPooling::Patches;
        return o;
    }
    if (name == "passt-micro") {
        o.input_frames = 100;
        o.num_classes = 10;
        o.embed_dim = 64;
        o.depth = 2;
        o.num_heads = 4;
        o.head_pooling = HeadPooling::Patches;
        return o;
    }
    throw Error(ErrorCode::InvalidArgument,
                "unknown model preset '" + name + "' (passt-s, passt-mini, passt-micro)");
}

ForwardCost forwardCost(const PaSSTOptions& o, int frames, int kept_patches) {
    if (frames < o.patch_size)
        throw Error(ErrorCode::InvalidArgument, "forwardCost: " + std::to_string(frames) +
                                                    " frames are fewer than a patch (" +
                                                    std::to_string(o.patch_size) + ")");
    ForwardCost c;
    const int time = std::min(o.timePatches(frames), o.timePositions());
    c.patches = o.freqPatches() * time;
    if (kept_patches > c.patches)
        throw Error(ErrorCode::InvalidArgument, "forwardCost: " + std::to_string(kept_patches) +
                                                    " patches kept of " + std::to_string(c.patches));
    const int kept = kept_patches < 0 ? c.patches : kept_patches;
    c.tokens = kept + (o.distilled ? 2 : 1);
    const double n = c.tokens, d = o.embed_dim, depth = o.depth;
    double inner = 0;  // heads x head width, summed over the blocks (pruned blocks have fewer)
    for (int b = 0; b < o.depth; ++b)
        inner += static_cast<double>(o.headsOf(b)) * o.headDim();
    c.patch_embed = static_cast<double>(c.patches) * d * o.in_chans * o.patch_size * o.patch_size;
    c.attention_proj = 4 * n * d * inner;
    c.attention_scores = 2 * n * n * inner;
    c.mlp = depth * 2 * n * d * o.mlpHidden();
    c.head = d * o.num_classes;
    return c;
}

std::vector<std::string> passtPresetNames() { return {"passt-s", "passt-mini", "passt-micro"}; }

std::string passtOptionsToJson(const PaSSTOptions& o) {
    nlohmann::ordered_json j = {
        {"n_mels", o.n_mels}, {"input_frames", o.input_frames}, {"patch_size", o.patch_size},
        {"stride_f", o.stride_f}, {"stride_t", o.stride_t}, {"in_chans", o.in_chans},
        {"num_classes", o.num_classes}, {"embed_dim", o.embed_dim}, {"depth", o.depth},
        {"num_heads", o.num_heads}, {"mlp_ratio", o.mlp_ratio}, {"qkv_bias", o.qkv_bias},
        {"distilled", o.distilled}, {"drop_rate", o.drop_rate},
        {"attn_drop_rate", o.attn_drop_rate}, {"drop_path_rate", o.drop_path_rate},
        {"s_patchout_t", o.patchout.s_patchout_t}, {"s_patchout_f", o.patchout.s_patchout_f},
        {"u_patchout", o.patchout.u_patchout}, {"patchout_per_sample", o.patchout.per_sample},
        {"patchout_at_inference", o.patchout.at_inference},
        {"positional_encoding", positionalEncodingName(o.positional_encoding)},
        {"head_pooling", headPoolingName(o.head_pooling)},
        {"cut_long_inputs", o.cut_long_inputs}};
    if (!o.block_heads.empty())  // only pruned models carry it: older readers still read the rest
        j["block_heads"] = o.block_heads;
    if (o.sharing != ParameterSharing::None) {  // likewise only models that share
        j["sharing"] = parameterSharingName(o.sharing);
        j["sharing_group"] = o.sharing_group;
    }
    return j.dump();
}

PaSSTOptions passtOptionsFromJson(const std::string& text) {
    PaSSTOptions o;
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object())
            throw Error(ErrorCode::BadFormat, "model options are not a JSON object");
        for (const auto& [key, value] : j.items()) {
            auto integer = [&]() {
                if (!value.is_number_integer())
                    throw Error(ErrorCode::BadFormat, "model option " + key + " must be an integer");
                return value.get<int>();
            };
            auto real = [&]() {
                if (!value.is_number())
                    throw Error(ErrorCode::BadFormat, "model option " + key + " must be a number");
                return value.get<double>();
            };
            auto boolean = [&]() {
                if (!value.is_boolean())
                    throw Error(ErrorCode::BadFormat, "model option " + key + " must be true or false");
                return value.get<bool>();
            };
            // A string naming an enum value, parsed by `fromName` (its errors become BadFormat).
            auto named = [&](auto fromName) {
                if (!value.is_string())
                    throw Error(ErrorCode::BadFormat, "model option " + key + " must be a string");
                try {
                    return fromName(value.get<std::string>());
                } catch (const Error& e) {
                    throw Error(ErrorCode::BadFormat, e.what());
                }
            };
            if (key == "n_mels") o.n_mels = integer();
            else if (key == "input_frames") o.input_frames = integer();
            else if (key == "patch_size") o.patch_size = integer();
            else if (key == "stride_f") o.stride_f = integer();
            else if (key == "stride_t") o.stride_t = integer();
            else if (key == "in_chans") o.in_chans = integer();
            else if (key == "num_classes") o.num_classes = integer();
            else if (key == "embed_dim") o.embed_dim = integer();
            else if (key == "depth") o.depth = integer();
            else if (key == "num_heads") o.num_heads = integer();
            else if (key == "mlp_ratio") o.mlp_ratio = real();
            else if (key == "qkv_bias") o.qkv_bias = boolean();
            else if (key == "distilled") o.distilled = boolean();
            else if (key == "drop_rate") o.drop_rate = real();
            else if (key == "attn_drop_rate") o.attn_drop_rate = real();
            else if (key == "drop_path_rate") o.drop_path_rate = real();
            else if (key == "s_patchout_t") o.patchout.s_patchout_t = integer();
            else if (key == "s_patchout_f") o.patchout.s_patchout_f = integer();
            else if (key == "u_patchout") o.patchout.u_patchout = integer();
            else if (key == "patchout_per_sample") o.patchout.per_sample = boolean();
            else if (key == "patchout_at_inference") o.patchout.at_inference = boolean();
            else if (key == "cut_long_inputs") o.cut_long_inputs = boolean();
            else if (key == "positional_encoding") o.positional_encoding = named(positionalEncodingFromName);
            else if (key == "head_pooling") o.head_pooling = named(headPoolingFromName);
            else if (key == "sharing") o.sharing = named(parameterSharingFromName);
            else if (key == "sharing_group") o.sharing_group = integer();
            else if (key == "block_heads") {
                if (!value.is_array())
                    throw Error(ErrorCode::BadFormat, "model option block_heads must be a list of integers");
                o.block_heads.clear();
                for (const auto& h : value) {
                    if (!h.is_number_integer())
                        throw Error(ErrorCode::BadFormat, "model option block_heads must be a list of integers");
                    o.block_heads.push_back(h.get<int>());
                }
            }
            else throw Error(ErrorCode::BadFormat, "unknown model option '" + key + "'");
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("model options are not valid JSON: ") + e.what());
    }
    return o;
}

std::string TensorInfo::shapeText() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        s += i ? ", " : "";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

std::int64_t TensorInfo::numel() const noexcept {
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

struct PaSSTModel::Impl {
    PaSST module;
    explicit Impl(const PaSSTOptions& o) : module(o) {}
    explicit Impl(PaSST shared) : module(std::move(shared)) {}
};

PaSSTModel::PaSSTModel(const PaSSTOptions& options, std::uint64_t seed)
    : m_impl(std::make_unique<Impl>(options)) {
    m_impl->module->initialize(seed);
    m_impl->module->eval();
}

PaSSTModel::PaSSTModel(const PaSSTOptions& options, Uninitialized)
    : m_impl(std::make_unique<Impl>(options)) {
    m_impl->module->eval();
}

PaSSTModel::PaSSTModel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

PaSSTModel withParameterSharing(const PaSSTModel& model, ParameterSharing sharing, int group) {
    PaSSTOptions o = model.options();
    o.sharing = sharing;
    o.sharing_group = group;
    o.validate();
    PaSSTModel out = PaSSTModelAccess::uninitialized(o);
    torch::NoGradGuard noGrad;
    const auto source = const_cast<PaSSTModel&>(model).module()->named_parameters();
    // Each tensor of the new model under all its names: one name unless shared, then the mean of
    // what the old model has under those names.
    std::map<const void*, std::vector<std::string>> names;
    std::map<const void*, torch::Tensor> tensors;
    for (const auto& item : out.module()->named_parameters()) {
        names[item.value().unsafeGetTensorImpl()].push_back(item.key());
        tensors[item.value().unsafeGetTensorImpl()] = item.value();
    }
    for (auto& [impl, list] : names) {
        torch::Tensor sum = torch::zeros_like(tensors[impl]);
        for (const std::string& name : list)
            sum += source[name];
        tensors[impl].copy_(sum / static_cast<double>(list.size()));
    }
    for (auto& item : out.module()->named_buffers())
        item.value().copy_(const_cast<PaSSTModel&>(model).module()->named_buffers()[item.key()]);
    out.setTraining(model.training());
    return out;
}

PaSSTModel PaSSTModel::sharedWeights() const {
    return PaSSTModel(std::make_unique<Impl>(m_impl->module));  // the holder's copy shares the module
}

PaSSTModel::~PaSSTModel() = default;
PaSSTModel::PaSSTModel(PaSSTModel&&) noexcept = default;
PaSSTModel& PaSSTModel::operator=(PaSSTModel&&) noexcept = default;

const PaSSTOptions& PaSSTModel::options() const noexcept { return m_impl->module->options(); }

std::vector<TensorInfo> PaSSTModel::parameters() const {
    std::vector<TensorInfo> out;
    for (const auto& [name, tensor] : m_impl->module->uniqueParameters())
        out.push_back({name, "F32", tensor.sizes().vec()});
    return out;
}

std::int64_t PaSSTModel::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& [name, tensor] : m_impl->module->uniqueParameters())
        n += tensor.numel();
    return n;
}

namespace {

// The input of an inference call as a tensor over `input` (from_blob does not copy; the input
// outlives the call), after checking the batch, the length and that the module is in eval mode.
torch::Tensor inferenceInput(const PaSSTOptions& o, const PaSST& module, const float* input, int batch,
                             int frames, const char* function) {
    if (batch < 1)
        throw Error(ErrorCode::InvalidArgument, "batch must be >= 1");
    if (frames < o.patch_size)
        throw Error(ErrorCode::InvalidArgument, "PaSST needs at least " + std::to_string(o.patch_size) +
                                                    " frames, got " + std::to_string(frames));
    if (module->is_training())
        throw Error(ErrorCode::InvalidArgument,
                    std::string(function) + "() runs in eval mode: call setTraining(false)");
    const auto host = torch::from_blob(const_cast<float*>(input), {batch, o.in_chans, o.n_mels, frames},
                                       torch::kFloat32);
    return host.to(module->cls_token.device());  // no copy on the CPU
}

// A result in host memory, contiguous.
torch::Tensor onHost(const torch::Tensor& t) { return t.to(torch::kCPU).contiguous(); }

}  // namespace

ModelOutput PaSSTModel::forward(const float* input, int batch, int frames) const {
    const auto& o = options();
    auto& module = m_impl->module;
    torch::InferenceMode inference;
    const auto x = inferenceInput(o, module, input, batch, frames, "forward");
    auto [logits, features] = module->forward(x);
    ModelOutput out;
    out.batch = batch;
    out.num_classes = o.num_classes;
    out.embed_dim = o.embed_dim;
    logits = onHost(logits);
    features = onHost(features);
    out.logits.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    out.features.assign(features.data_ptr<float>(), features.data_ptr<float>() + features.numel());
    return out;
}

ModelOutput PaSSTModel::forward(const std::vector<Features>& batch) const {
    if (batch.empty())
        throw Error(ErrorCode::InvalidArgument, "empty batch");
    if (options().in_chans != 1)
        throw Error(ErrorCode::InvalidArgument, "feature blocks have one channel; the model takes " +
                                                    std::to_string(options().in_chans));
    const int frames = batch.front().n_frames;
    std::vector<float> input;
    input.reserve(batch.size() * static_cast<std::size_t>(options().n_mels) * frames);
    for (const auto& f : batch) {
        if (f.n_bins != options().n_mels)
            throw Error(ErrorCode::InvalidArgument, "features have " + std::to_string(f.n_bins) +
                                                        " bins, the model takes n_mels " +
                                                        std::to_string(options().n_mels));
        if (f.n_frames != frames)
            throw Error(ErrorCode::InvalidArgument,
                        "feature blocks of one batch must have the same length (" +
                            std::to_string(frames) + " and " + std::to_string(f.n_frames) + ")");
        const auto binMajor = f.binMajor();
        input.insert(input.end(), binMajor.begin(), binMajor.end());
    }
    return forward(input.data(), static_cast<int>(batch.size()), frames);
}

bool PaSSTModel::training() const { return m_impl->module->is_training(); }
void PaSSTModel::setTraining(bool on) { m_impl->module->train(on); }
void PaSSTModel::setPatchout(const PatchoutOptions& patchout) { m_impl->module->setPatchout(patchout); }
PatchoutMask PaSSTModel::lastPatchoutMask() const { return m_impl->module->lastPatchoutMask(); }
void PaSSTModel::setCutLongInputs(bool on) { m_impl->module->setCutLongInputs(on); }

void PaSSTModel::setDevice(ComputeDevice device) {
    if (device == this->device())
        return;  // nothing moves (and handles used on other threads are left alone)
    m_impl->module->to(device == ComputeDevice::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU));
}

ComputeDevice PaSSTModel::device() const {
    return m_impl->module->cls_token.device().is_cuda() ? ComputeDevice::Cuda : ComputeDevice::Cpu;
}

namespace {
std::vector<float> toVector(const torch::Tensor& t) {
    auto c = onHost(t);
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}
}  // namespace

PaSSTModel::DetailedOutput PaSSTModel::forwardDetailed(const float* input, int batch, int frames,
                                                       const DetailOptions& detail) const {
    const auto& o = options();
    auto& module = m_impl->module;
    torch::InferenceMode inference;
    const auto x = inferenceInput(o, module, input, batch, frames, "forwardDetailed");
    std::vector<torch::Tensor> blocks, maps;
    DetailedOutput out;
    auto encoded = module->encode(x, detail.block_tokens ? &blocks : nullptr,
                                  detail.attention_maps ? &maps : nullptr, &out.patchout_mask);
    auto features = module->pool(encoded);
    auto logits = module->head->forward(features);
    out.output.batch = batch;
    out.output.num_classes = o.num_classes;
    out.output.embed_dim = o.embed_dim;
    out.output.logits = toVector(logits);
    out.output.features = toVector(features);
    out.token_shape = encoded.sizes().vec();
    for (const auto& b : blocks)
        out.block_tokens.push_back(toVector(b));
    if (!maps.empty())
        out.attention_shape = maps.front().sizes().vec();
    for (const auto& m : maps)
        out.attention_maps.push_back(toVector(m));
    return out;
}

PaSST& PaSSTModel::module() { return m_impl->module; }
const PaSST& PaSSTModel::module() const { return m_impl->module; }

}  // namespace patchout
