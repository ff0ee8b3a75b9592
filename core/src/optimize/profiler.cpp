#include "patchout/profiler.h"

#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/error.h"

#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <numeric>
#include <set>

namespace patchout {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void bad(const std::string& message) {
    throw Error(ErrorCode::InvalidArgument, message, "ProfileOptions");
}

std::vector<torch::Tensor> paramsOf(torch::nn::Module& m) { return m.parameters(); }

double medianOf(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Heap bytes in use (glibc: small blocks plus mmap'd large ones), for the activation measurement.
std::int64_t heapInUse() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 m = mallinfo2();
    return static_cast<std::int64_t>(m.uordblks + m.hblkhd);
#else
    return 0;
#endif
}

class Profiler {
public:
    Profiler(const PaSSTModel& model, const ProfileOptions& o, const JobControl* job)
        : m_handle(model.sharedWeights()), m_net(*m_handle.module()), m_o(o), m_job(job) {}

    ModelProfile run();

private:
    // Waits for the work queued on the GPU (CUDA runs asynchronously); nothing on the CPU.
    void finish() const {
        if (m_net.device().is_cuda())
            torch::cuda::synchronize();
    }

    // Median wall time (ms) of `fn` over the repeats, after one warm-up run.
    double timeIt(const std::function<void()>& fn) {
        if (m_job)
            m_job->throwIfCancelled();
        fn();
        finish();
        std::vector<double> ms;
        for (int i = 0; i < m_o.repeats; ++i) {
            const auto t0 = Clock::now();
            fn();
            finish();
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        if (m_job) {
            Progress p;
            p.step = ++m_done;
            p.total = m_total;
            p.message = "profiling";
            m_job->report(p);
        }
        return medianOf(ms);
    }

    // Times `forward` on `inputs` without gradients, and with backward (gradients of the inputs and
    // of `params`, returned rather than accumulated: the model's .grad stays untouched).
    void measure(PartProfile& part, const std::vector<torch::Tensor>& inputs,
                 const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& forward,
                 const std::vector<torch::Tensor>& params) {
        if (!m_o.timed)
            return;
        {
            torch::NoGradGuard noGrad;
            Bf16Autocast autocast(m_o.bf16, m_net.device().is_cuda());
            part.forward_ms = timeIt([&] { (void)forward(inputs); });
        }
        if (!m_o.backward)
            return;
        std::vector<torch::Tensor> leaves;
        for (const auto& t : inputs)
            leaves.push_back(t.detach().requires_grad_(true));
        std::vector<torch::Tensor> wrt = leaves;
        for (const auto& p : params)
            if (p.requires_grad())
                wrt.push_back(p);
        part.forward_backward_ms = timeIt([&] {
            Bf16Autocast autocast(m_o.bf16, m_net.device().is_cuda());
            const torch::Tensor out = forward(leaves);
            (void)torch::autograd::grad({out}, wrt, {torch::ones_like(out)}, false, false, true);
        });
    }

    PartProfile& add(const std::string& name, const char* kind, int block, std::int64_t parameters, double macs,
                     std::int64_t activationElements) {
        PartProfile p;
        p.name = name;
        p.kind = kind;
        p.block = block;
        p.parameters = parameters;
        p.macs = macs;
        p.activation_bytes = activationElements * m_elementBytes;
        m_profile.parts.push_back(p);
        return m_profile.parts.back();
    }

    // Parameters of `tensors` not counted by an earlier part: a tensor that blocks share counts
    // once, with the first part that uses it.
    std::int64_t countOf(const std::vector<torch::Tensor>& tensors) {
        std::int64_t n = 0;
        for (const auto& t : tensors)
            if (t.defined() && m_counted.insert(t.unsafeGetTensorImpl()).second)
                n += t.numel();
        return n;
    }

    torch::Tensor tokensOf(const torch::Tensor& x) { return m_net.tokens(x, m_mask.masks() > 0 ? &m_mask : nullptr, nullptr); }
    torch::Tensor head(const torch::Tensor& encoded) { return m_net.head->forward(m_net.pool(encoded)); }

    void profileBlock(int index, const torch::Tensor& x);
    void profileWhole(const torch::Tensor& input);

    PaSSTModel m_handle;
    PaSSTImpl& m_net;
    const ProfileOptions& m_o;
    const JobControl* m_job;
    ModelProfile m_profile;
    PatchoutMask m_mask;
    std::int64_t m_elementBytes = 4;
    std::int64_t m_done = 0, m_total = 0;
    std::set<const void*> m_counted;
};

void Profiler::profileBlock(int index, const torch::Tensor& x) {
    BlockImpl& block = *m_net.block_list.at(static_cast<std::size_t>(index));
    AttentionImpl& attn = *block.attn;
    const auto& o = m_net.options();
    const double b = x.size(0), n = x.size(1), e = x.size(2), hidden = o.mlpHidden(), heads = attn.num_heads;
    const double inner = heads * attn.head_dim;  // e, unless heads were pruned
    const std::string prefix = "blocks." + std::to_string(index) + ".";
    torch::Tensor n1, qkvOut, attended, n2;
    {
        torch::NoGradGuard noGrad;
        n1 = block.norm1->forward(x);
        qkvOut = attn.qkv->forward(n1);
        auto [q, k, v] = attn.queriesKeysValues(n1);
        attended = attn.joinHeads(torch::matmul(q, k.transpose(-2, -1)).mul(attn.scale).softmax(-1), v);
        n2 = block.norm2->forward(x + attn.proj->forward(attended));
    }
    const auto bne = static_cast<std::int64_t>(b * n * e);
    // Norms: each keeps its input.
    std::vector<torch::Tensor> normParams = paramsOf(*block.norm1);
    for (const auto& p : paramsOf(*block.norm2))
        normParams.push_back(p);
    measure(add(prefix + "norms", kPartNorms, index, countOf(normParams), 0, 2 * bne), {x},
            [&](const std::vector<torch::Tensor>& in) { return block.norm1->forward(in[0]) + block.norm2->forward(in[0]); },
            normParams);
    // q, k, v: one product; keeps its input.
    measure(add(prefix + "attn.qkv", kPartAttentionProjections, index, countOf(paramsOf(*attn.qkv)), b * n * e * 3 * inner, bne),
            {n1}, [&](const std::vector<torch::Tensor>& in) { return attn.qkv->forward(in[0]); }, paramsOf(*attn.qkv));
    // Scores: q k^T, softmax, times v; keeps q, k, v and the softmax.
    const auto scoresKept = static_cast<std::int64_t>(3 * b * n * inner + b * heads * n * n);
    const auto innerKept = static_cast<std::int64_t>(b * n * inner);
    measure(add(prefix + "attn.scores", kPartAttentionScores, index, 0, 2 * b * n * n * inner, scoresKept), {qkvOut},
            [&](const std::vector<torch::Tensor>& in) {
                const auto q = in[0].reshape({x.size(0), x.size(1), 3, attn.num_heads, attn.head_dim}).permute({2, 0, 3, 1, 4});
                return attn.joinHeads(torch::matmul(q[0], q[1].transpose(-2, -1)).mul(attn.scale).softmax(-1), q[2]);
            },
            {});
    measure(add(prefix + "attn.proj", kPartAttentionProjections, index, countOf(paramsOf(*attn.proj)), b * n * inner * e, innerKept),
            {attended}, [&](const std::vector<torch::Tensor>& in) { return attn.proj->forward(in[0]); },
            paramsOf(*attn.proj));
    // MLP: keeps its input, fc1's output and GELU's.
    const auto mlpKept = static_cast<std::int64_t>(b * n * e + 2 * b * n * hidden);
    measure(add(prefix + "mlp", kPartMlp, index, countOf(paramsOf(*block.mlp)), 2 * b * n * e * hidden, mlpKept), {n2},
            [&](const std::vector<torch::Tensor>& in) { return block.mlp->forward(in[0]); }, paramsOf(*block.mlp));
}

void Profiler::profileWhole(const torch::Tensor& input) {
    // The reference path: the operations the parts time, one after the other (the attention
    // pointer keeps every block on its unfused path).
    auto reference = [&](const torch::Tensor& in) {
        torch::Tensor x = tokensOf(in), attention;
        for (auto& block : m_net.block_list)
            x = block->forward(x, &attention);
        return head(m_net.norm->forward(x));
    };
    {
        torch::NoGradGuard noGrad;
        Bf16Autocast autocast(m_o.bf16, m_net.device().is_cuda());
        m_profile.forward_ms = timeIt([&] { (void)reference(input); });
        // What inference runs: fused blocks where eval mode allows them.
        m_profile.inference_ms = timeIt([&] {
            torch::Tensor x = tokensOf(input);
            for (auto& block : m_net.block_list)
                x = block->forward(x);
            (void)head(m_net.norm->forward(x));
        });
    }
    std::vector<torch::Tensor> wrt;
    const torch::Tensor leaf = input.detach().requires_grad_(true);
    wrt.push_back(leaf);
    for (const auto& p : m_net.parameters())
        if (p.requires_grad())
            wrt.push_back(p);
    {
        Bf16Autocast autocast(m_o.bf16, m_net.device().is_cuda());
        const std::int64_t before = m_net.device().is_cuda() ? 0 : heapInUse();  // host memory only
        torch::Tensor out = reference(leaf);
        const std::int64_t held = heapInUse() - before;
        m_profile.measured_activation_bytes = before > 0 ? std::max<std::int64_t>(held, 0) : 0;
        out = torch::Tensor();
    }
    if (m_o.backward)
        m_profile.forward_backward_ms = timeIt([&] {
            Bf16Autocast autocast(m_o.bf16, m_net.device().is_cuda());
            const torch::Tensor out = reference(leaf);
            (void)torch::autograd::grad({out}, wrt, {torch::ones_like(out)}, false, false, true);
        });
}

ModelProfile Profiler::run() {
    m_o.validate();
    const PaSSTOptions& o = m_net.options();
    const bool wasTraining = m_net.is_training();
    struct Restore {
        PaSSTImpl& net;
        bool training;
        ~Restore() { net.train(training); }
    } restore{m_net, wasTraining};
    m_net.eval();  // no dropout, no random offsets: the same computation every repeat

    ModelProfile& r = m_profile;
    r.model = o;
    r.options = m_o;
    r.frames = m_o.frames > 0 ? m_o.frames : o.input_frames;
    if (r.frames < o.patch_size)
        bad("frames must be at least the patch size " + std::to_string(o.patch_size));
    const int freq = o.freqPatches();
    const int time = std::min(o.timePatches(r.frames), o.timePositions());
    if (o.timePatches(r.frames) > o.timePositions())
        bad(std::to_string(r.frames) + " frames give more time patches than the model's " +
            std::to_string(o.timePositions()) + " positions");
    r.patches = freq * time;
    if (m_o.patchout.active())
        m_mask = drawPatchoutMask(m_o.patchout, freq, time, 0, m_o.batch);
    const int kept = m_mask.masks() > 0 ? m_mask.keptCount() : r.patches;
    r.tokens = kept + (o.distilled ? 2 : 1);
    m_elementBytes = m_o.bf16 ? 2 : 4;
    const int measurementsPerPart = m_o.backward ? 2 : 1;
    m_total = m_o.timed ? static_cast<std::int64_t>(3 + 5 * o.depth) * measurementsPerPart + 2 + (m_o.backward ? 1 : 0) : 0;

    torch::manual_seed(0);
    const torch::Tensor input = torch::randn({m_o.batch, o.in_chans, o.n_mels, r.frames}).to(m_net.device());
    const double b = m_o.batch, e = o.embed_dim;

    // Patch embedding with positions, patchout and the class tokens (tokens()); keeps its input.
    std::vector<torch::Tensor> embedParams;  // the convolution, tokens and learned positions
    for (const auto& item : m_net.named_parameters()) {
        const std::string& key = item.key();
        if (key.rfind("blocks.", 0) != 0 && key.rfind("norm.", 0) != 0 && key.rfind("head", 0) != 0)
            embedParams.push_back(item.value());
    }
    const double patchMacs = b * r.patches * e * o.patch_size * o.patch_size * o.in_chans;
    measure(add("patch_embed", kPartPatchEmbedding, -1, countOf(embedParams), patchMacs,
                static_cast<std::int64_t>(b * o.in_chans * o.n_mels * r.frames)),
            {input}, [&](const std::vector<torch::Tensor>& in) { return tokensOf(in[0]); }, embedParams);

    torch::Tensor x;
    {
        torch::NoGradGuard noGrad;
        x = tokensOf(input);
    }
    for (int i = 0; i < o.depth; ++i) {
        profileBlock(i, x);
        torch::NoGradGuard noGrad;
        torch::Tensor attention;
        x = m_net.block_list[static_cast<std::size_t>(i)]->forward(x, &attention);
    }
    const auto bne = static_cast<std::int64_t>(b * r.tokens * e);
    measure(add("norm", kPartNorms, -1, countOf(paramsOf(*m_net.norm)), 0, bne), {x},
            [&](const std::vector<torch::Tensor>& in) { return m_net.norm->forward(in[0]); }, paramsOf(*m_net.norm));
    torch::Tensor encoded;
    {
        torch::NoGradGuard noGrad;
        encoded = m_net.norm->forward(x);
    }
    // The head as forward() uses it (head_dist is stored but unused, so not counted).
    measure(add("head", kPartHead, -1, countOf(paramsOf(*m_net.head)), b * e * o.num_classes,
                static_cast<std::int64_t>(b * e)),
            {encoded}, [&](const std::vector<torch::Tensor>& in) { return head(in[0]); }, paramsOf(*m_net.head));
    if (m_o.timed)
        profileWhole(input);
    return r;
}

}  // namespace

void ProfileOptions::validate() const {
    if (frames < 0)
        bad("frames must not be negative");
    if (batch < 1)
        bad("batch must be at least 1");
    if (repeats < 1)
        bad("repeats must be at least 1");
    if (patchout.s_patchout_t < 0 || patchout.s_patchout_f < 0 || patchout.u_patchout < 0)
        bad("patchout counts must not be negative");
}

std::int64_t ModelProfile::parameters() const {
    return std::accumulate(parts.begin(), parts.end(), std::int64_t{0},
                           [](std::int64_t n, const PartProfile& p) { return n + p.parameters; });
}
double ModelProfile::macs() const {
    return std::accumulate(parts.begin(), parts.end(), 0.0, [](double n, const PartProfile& p) { return n + p.macs; });
}
double ModelProfile::partsForwardMs() const {
    return std::accumulate(parts.begin(), parts.end(), 0.0,
                           [](double n, const PartProfile& p) { return n + p.forward_ms; });
}
double ModelProfile::partsForwardBackwardMs() const {
    return std::accumulate(parts.begin(), parts.end(), 0.0,
                           [](double n, const PartProfile& p) { return n + p.forward_backward_ms; });
}
std::int64_t ModelProfile::activationBytes() const {
    return std::accumulate(parts.begin(), parts.end(), std::int64_t{0},
                           [](std::int64_t n, const PartProfile& p) { return n + p.activation_bytes; });
}

std::vector<PartProfile> ModelProfile::byKind() const {
    std::vector<PartProfile> kinds;
    for (const PartProfile& p : parts) {
        auto it = std::find_if(kinds.begin(), kinds.end(), [&](const PartProfile& k) { return k.kind == p.kind; });
        if (it == kinds.end()) {
            PartProfile k;
            k.name = k.kind = p.kind;
            kinds.push_back(k);
            it = kinds.end() - 1;
        }
        it->parameters += p.parameters;
        it->macs += p.macs;
        it->forward_ms += p.forward_ms;
        it->forward_backward_ms += p.forward_backward_ms;
        it->activation_bytes += p.activation_bytes;
    }
    return kinds;
}

ModelProfile profileModel(const PaSSTModel& model, const ProfileOptions& options, const JobControl* job) {
    return Profiler(model, options, job).run();
}

std::string profileToJson(const ModelProfile& p) {
    auto partJson = [](const PartProfile& part) {
        json j = {{"name", part.name},
                  {"kind", part.kind},
                  {"parameters", part.parameters},
                  {"macs", part.macs},
                  {"forward_ms", part.forward_ms},
                  {"forward_backward_ms", part.forward_backward_ms},
                  {"activation_bytes", part.activation_bytes}};
        if (part.block >= 0)
            j["block"] = part.block;
        return j;
    };
    json parts = json::array(), kinds = json::array();
    for (const PartProfile& part : p.parts)
        parts.push_back(partJson(part));
    for (const PartProfile& kind : p.byKind())
        kinds.push_back(partJson(kind));
    const json j = {{"model", json::parse(passtOptionsToJson(p.model))},
                    {"options",
                     {{"frames", p.frames},
                      {"batch", p.options.batch},
                      {"patchout",
                       {{"s_patchout_t", p.options.patchout.s_patchout_t},
                        {"s_patchout_f", p.options.patchout.s_patchout_f},
                        {"u_patchout", p.options.patchout.u_patchout}}},
                      {"bf16", p.options.bf16},
                      {"repeats", p.options.repeats}}},
                    {"patches", p.patches},
                    {"tokens", p.tokens},
                    {"parameters", p.parameters()},
                    {"macs", p.macs()},
                    {"forward_ms", p.forward_ms},
                    {"parts_forward_ms", p.partsForwardMs()},
                    {"inference_ms", p.inference_ms},
                    {"forward_backward_ms", p.forward_backward_ms},
                    {"parts_forward_backward_ms", p.partsForwardBackwardMs()},
                    {"activation_bytes", p.activationBytes()},
                    {"measured_activation_bytes", p.measured_activation_bytes},
                    {"kinds", kinds},
                    {"parts", parts}};
    return j.dump(2);
}

}  // namespace patchout
