// Model files: the project's safetensors checkpoint (round trip, format conformance, corrupt
// files) and the safe import of official PyTorch checkpoints (plain, wrapped by a training
// framework, compiled, saved from a GPU, hostile, corrupt). Wrapped and broken checkpoints are
// written on the fly by torch_checkpoint_writer.h from the reference tiny_passt.pt.
#include "model/passt_module.h"
#include "model/safetensors.h"
#include "model/torch_archive.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "test_support.h"
#include "torch_checkpoint_writer.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

using namespace patchout;
using patchout::test::fixturesDir;
using patchout::test::PickleWriter;
using patchout::test::TempDir;
using patchout::test::TorchZipWriter;

namespace {

using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

std::string readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void writeAll(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

ErrorCode codeOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no patchout::Error thrown";
    return ErrorCode::Internal;
}

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no patchout::Error thrown";
    return {};
}

bool sameWeights(const PaSSTModel& a, const PaSSTModel& b) {
    auto pb = b.module()->named_parameters();
    for (const auto& p : a.module()->named_parameters())
        if (!pb.contains(p.key()) || !torch::equal(p.value(), pb[p.key()]))
            return false;
    return a.module()->named_parameters().size() == pb.size();
}

// The tensors of the reference checkpoint, in state_dict order.
Tensors tinyTensors() {
    pickle::TorchArchive archive(fixturesDir() / "tiny_passt.pt");
    Tensors out;
    for (const auto& [k, v] : archive.root().entries)
        out.emplace_back(k->text, archive.load(*v));
    return out;
}

ImportOptions tinyImport() {
    ImportOptions io;
    io.num_heads = 4;
    return io;
}

// The safetensors header of a file, as JSON.
nlohmann::json headerOf(const std::filesystem::path& p) {
    const std::string bytes = readAll(p);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    return nlohmann::json::parse(bytes.substr(8, n));
}

// Rewrites a saved model's header (keeping the tensor data), padding as saveModel does.
void rewriteHeader(const std::filesystem::path& p, const std::function<void(nlohmann::ordered_json&)>& edit) {
    const std::string bytes = readAll(p);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    auto header = nlohmann::ordered_json::parse(bytes.substr(8, n));
    edit(header);
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::uint64_t m = text.size();
    std::string out(reinterpret_cast<const char*>(&m), 8);
    writeAll(p, out + text + bytes.substr(8 + n));
}

}  // namespace

TEST(Checkpoint, SaveLoadRoundTripIsExact) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-micro"), 11);
    std::vector<std::string> labels = {"zero", "one", "two", "three", "four",
                                       "five", "six", "seven", "eight", "nine"};
    saveModel(dir / "m.safetensors", model, labels, {{"source", "test"}, {"epoch", "3"}});
    const auto loaded = loadModel(dir / "m.safetensors");
    EXPECT_TRUE(sameWeights(model, loaded.model));
    EXPECT_EQ(passtOptionsToJson(loaded.model.options()), passtOptionsToJson(model.options()));
    EXPECT_EQ(loaded.labels, labels);
    EXPECT_EQ(loaded.metadata, (std::map<std::string, std::string>{{"epoch", "3"}, {"source", "test"}}));
    EXPECT_FALSE(loaded.model.training());

    torch::manual_seed(1);
    auto x = torch::randn({1, 128, 50});
    const auto a = model.forward(x.data_ptr<float>(), 1, 50);
    const auto b = loaded.model.forward(x.data_ptr<float>(), 1, 50);
    EXPECT_EQ(a.logits, b.logits);
}

TEST(Checkpoint, FileIsStandardSafetensors) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-micro"), 12);
    saveModel(dir / "m.safetensors", model);
    const std::string bytes = readAll(dir / "m.safetensors");
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ((8 + n) % 8, 0u);  // tensor data aligned
    const auto h = headerOf(dir / "m.safetensors");
    EXPECT_EQ(h["__metadata__"]["format"], "patchout-passt");
    EXPECT_EQ(h["__metadata__"]["format_version"], "1");
    EXPECT_FALSE(h["__metadata__"].contains("labels"));
    EXPECT_EQ(h.size(), 1 + model.parameters().size());
    // Each tensor: F32, its shape, its bytes at data_offsets, little-endian.
    const auto& qkv = h["blocks.1.attn.qkv.weight"];
    EXPECT_EQ(qkv["dtype"], "F32");
    EXPECT_EQ(qkv["shape"], nlohmann::json::array({192, 64}));
    const std::uint64_t begin = qkv["data_offsets"][0], end = qkv["data_offsets"][1];
    ASSERT_EQ(end - begin, 192u * 64u * 4u);
    float first = 0;
    std::memcpy(&first, bytes.data() + 8 + n + begin, 4);
    EXPECT_EQ(first, model.module()->named_parameters()["blocks.1.attn.qkv.weight"][0][0].item<float>());
    std::uint64_t total = 0;
    for (const auto& [k, v] : h.items())
        if (k != "__metadata__")
            total += v["data_offsets"][1].get<std::uint64_t>() - v["data_offsets"][0].get<std::uint64_t>();
    EXPECT_EQ(8 + n + total, bytes.size());
}

TEST(Checkpoint, SaveRejectsBadLabelsAndReservedMetadata) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-micro"));
    EXPECT_EQ(codeOf([&] { saveModel(dir / "a.safetensors", model, {"only", "two"}); }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(codeOf([&] { saveModel(dir / "a.safetensors", model, {}, {{"labels", "x"}}); }),
              ErrorCode::InvalidArgument);
    EXPECT_FALSE(std::filesystem::exists(dir / "a.safetensors"));
}

TEST(Checkpoint, LoadRejectsCorruptFiles) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-micro"), 13);
    const auto good = dir / "good.safetensors";
    saveModel(good, model);
    const std::string bytes = readAll(good);

    EXPECT_EQ(codeOf([&] { loadModel(dir / "absent.safetensors"); }), ErrorCode::FileNotFound);
    writeAll(dir / "truncated.safetensors", bytes.substr(0, bytes.size() - 10));
    EXPECT_EQ(codeOf([&] { loadModel(dir / "truncated.safetensors"); }), ErrorCode::BadFormat);
    writeAll(dir / "short.safetensors", bytes.substr(0, 5));
    EXPECT_EQ(codeOf([&] { loadModel(dir / "short.safetensors"); }), ErrorCode::BadFormat);
    std::string huge = bytes;
    huge[7] = '\x7f';  // header length far beyond the file
    writeAll(dir / "huge.safetensors", huge);
    EXPECT_EQ(codeOf([&] { loadModel(dir / "huge.safetensors"); }), ErrorCode::BadFormat);
    std::string garbled = bytes;
    garbled[8] = '[';
    writeAll(dir / "garbled.safetensors", garbled);
    EXPECT_EQ(codeOf([&] { loadModel(dir / "garbled.safetensors"); }), ErrorCode::BadFormat);
    writeAll(dir / "text.safetensors", "hello, this is not a model file at all");
    EXPECT_EQ(codeOf([&] { loadModel(dir / "text.safetensors"); }), ErrorCode::BadFormat);

    // A header whose offsets overlap, or whose sizes do not match the shapes.
    const auto overlap = dir / "overlap.safetensors";
    writeAll(overlap, bytes);
    rewriteHeader(overlap, [](auto& h) { h["norm.bias"]["data_offsets"] = h["norm.weight"]["data_offsets"]; });
    EXPECT_NE(messageOf([&] { loadModel(overlap); }).find("overlaps"), std::string::npos);
    const auto wrongShape = dir / "shape.safetensors";
    writeAll(wrongShape, bytes);
    rewriteHeader(wrongShape, [](auto& h) { h["norm.bias"]["shape"] = {65}; });
    EXPECT_EQ(codeOf([&] { loadModel(wrongShape); }), ErrorCode::BadFormat);
}

TEST(Checkpoint, LoadRejectsMismatchingModels) {
    TempDir dir;
    const auto path = dir / "m.safetensors";
    saveModel(path, PaSSTModel(passtPreset("passt-micro")), {}, {{"note", "x"}});
    const std::string bytes = readAll(path);

    // Options that ask for a deeper model than the tensors hold.
    rewriteHeader(path, [](auto& h) {
        auto o = passtPreset("passt-micro");
        o.depth = 3;
        h["__metadata__"]["passt_options"] = passtOptionsToJson(o);
    });
    const auto msg = messageOf([&] { loadModel(path); });
    EXPECT_NE(msg.find("blocks.2"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;

    writeAll(path, bytes);
    rewriteHeader(path, [](auto& h) { h["__metadata__"]["format_version"] = "9"; });
    EXPECT_EQ(codeOf([&] { loadModel(path); }), ErrorCode::Unsupported);
    writeAll(path, bytes);
    rewriteHeader(path, [](auto& h) { h["__metadata__"].erase("format"); });
    EXPECT_EQ(codeOf([&] { loadModel(path); }), ErrorCode::BadFormat);
    writeAll(path, bytes);
    rewriteHeader(path, [](auto& h) { h["__metadata__"]["labels"] = R"(["a", "b"])"; });
    EXPECT_EQ(codeOf([&] { loadModel(path); }), ErrorCode::BadFormat);
}

TEST(Checkpoint, InspectReadsOwnFormat) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-mini"), 1);
    std::vector<std::string> labels;
    for (int i = 0; i < 10; ++i)
        labels.push_back("digit " + std::to_string(i));
    saveModel(dir / "m.safetensors", model, labels, {{"source", "unit test"}});
    const auto info = inspectCheckpoint(dir / "m.safetensors");
    EXPECT_EQ(info.format, CheckpointFormat::Patchout);
    ASSERT_TRUE(info.options.has_value());
    EXPECT_EQ(passtOptionsToJson(*info.options), passtOptionsToJson(model.options()));
    EXPECT_EQ(info.labels, labels);
    EXPECT_EQ(info.metadata.at("source"), "unit test");
    EXPECT_EQ(info.metadata.at("format"), "patchout-passt");
    const auto params = model.parameters();
    ASSERT_EQ(info.tensors.size(), params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        EXPECT_EQ(info.tensors[i].name, params[i].name);
        EXPECT_EQ(info.tensors[i].shape, params[i].shape);
    }
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(dir / "none.pt"); }), ErrorCode::FileNotFound);
}

class CheckpointImport : public ::testing::Test {
protected:
    void SetUp() override {
        PATCHOUT_REQUIRE_FIXTURES();
        tensors = tinyTensors();
        reference = std::make_unique<ImportedModel>(importCheckpoint(fixturesDir() / "tiny_passt.pt", tinyImport()));
    }
    Tensors tensors;
    std::unique_ptr<ImportedModel> reference;
};

TEST_F(CheckpointImport, InspectOfficialStateDict) {
    const auto info = inspectCheckpoint(fixturesDir() / "tiny_passt.pt");
    EXPECT_EQ(info.format, CheckpointFormat::TorchZip);
    EXPECT_EQ(info.wrapper, "");
    EXPECT_EQ(info.copies, std::vector<std::string>{""});
    ASSERT_EQ(info.tensors.size(), 39u);
    EXPECT_EQ(info.tensors.front().name, "cls_token");
    EXPECT_EQ(info.tensors.front().dtype, "F32");
    EXPECT_EQ(info.tensors.back().name, "head_dist.bias");
    ASSERT_TRUE(info.options.has_value());
    EXPECT_EQ(info.options->embed_dim, 64);
    EXPECT_EQ(info.options->num_heads, 1);  // the default guess, embed_dim / 64
}

TEST_F(CheckpointImport, ImportThenSaveThenLoadKeepsTheWeights) {
    TempDir dir;
    saveModel(dir / "tiny.safetensors", reference->model);
    const auto loaded = loadModel(dir / "tiny.safetensors");
    EXPECT_TRUE(sameWeights(reference->model, loaded.model));
    EXPECT_EQ(loaded.model.options().num_heads, 4);
    for (const auto& [key, t] : tensors)
        EXPECT_TRUE(torch::equal(loaded.model.module()->named_parameters()[key], t)) << key;
}

TEST_F(CheckpointImport, TrainingFrameworkCheckpointWithTwoCopies) {
    TempDir dir;
    // {"state_dict": {net._orig_mod.*, net_swa.*, device_proxy}, "epoch": 7,
    //  "hyper_parameters": <an AttributeDict object>, "lr": 0.5}, storages saved from cuda:0.
    Tensors swa;
    for (const auto& [k, t] : tensors)
        swa.emplace_back(k, t * 2);
    TorchZipWriter zip;
    PickleWriter p;
    p.proto();
    p.emptyDict();
    p.mark();
    p.str("epoch");
    p.integer(7);
    p.str("hyper_parameters");
    p.global("pytorch_lightning.utilities.parsing", "AttributeDict");
    p.emptyTuple();
    p.newObj();
    p.mark();
    p.str("lr");
    p.real(0.5);
    p.setItems();
    p.str("state_dict");
    p.orderedDict();
    p.mark();
    zip.entries(p, tensors, "net._orig_mod.", "cuda:0");
    zip.entries(p, swa, "net_swa.", "cuda:0");
    p.str("device_proxy");
    zip.tensor(p, torch::zeros({1}));
    p.setItems();
    p.setItems();
    p.stop();
    const auto path = dir / "epoch=7.ckpt";
    zip.write(path, p);

    const auto info = inspectCheckpoint(path);
    EXPECT_EQ(info.wrapper, "state_dict");
    EXPECT_EQ(info.copies, (std::vector<std::string>{"net", "net_swa"}));
    EXPECT_EQ(info.tensors.size(), 2 * 39u + 1);
    EXPECT_EQ(info.ignored_globals, std::vector<std::string>{"pytorch_lightning.utilities.parsing.AttributeDict"});

    // Default: "net" when there are several copies.
    const auto net = importCheckpoint(path, tinyImport());
    EXPECT_EQ(net.report.copy, "net");
    EXPECT_EQ(net.report.tensors, 39);
    EXPECT_EQ(net.report.skipped.size(), 39u + 1);  // the other copy and device_proxy
    EXPECT_TRUE(sameWeights(net.model, reference->model));

    auto io = tinyImport();
    io.copy = "net_swa";
    const auto avg = importCheckpoint(path, io);
    EXPECT_EQ(avg.report.copy, "net_swa");
    auto avgParams = avg.model.module()->named_parameters();
    for (const auto& [key, t] : tensors)
        EXPECT_TRUE(torch::equal(avgParams[key], t * 2)) << key;

    io.copy = "teacher";
    const auto msg = messageOf([&] { importCheckpoint(path, io); });
    EXPECT_NE(msg.find("net_swa"), std::string::npos) << msg;
}

TEST_F(CheckpointImport, ModelWrapperAndProgressAndCancel) {
    TempDir dir;
    TorchZipWriter zip;
    PickleWriter p;
    p.proto();
    p.emptyDict();
    p.mark();
    p.str("model");
    zip.stateDict(p, tensors);
    p.setItems();
    p.stop();
    zip.write(dir / "wrapped.pt", p);

    std::vector<Progress> seen;
    JobControl job([&](const Progress& pr) { seen.push_back(pr); });
    const auto imported = importCheckpoint(dir / "wrapped.pt", tinyImport(), &job);
    EXPECT_TRUE(sameWeights(imported.model, reference->model));
    ASSERT_EQ(seen.size(), 39u);
    EXPECT_EQ(seen.back().step, 39);
    EXPECT_EQ(seen.back().total, 39);

    JobControl cancelled;
    cancelled.cancel();
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "wrapped.pt", tinyImport(), &cancelled); }),
              ErrorCode::Cancelled);
}

TEST_F(CheckpointImport, NewHeadForADifferentNumberOfClasses) {
    auto io = tinyImport();
    io.num_classes = 3;
    io.seed = 5;
    io.patchout = {.s_patchout_t = 1, .s_patchout_f = 1, .u_patchout = 0};
    const auto imported = importCheckpoint(fixturesDir() / "tiny_passt.pt", io);
    EXPECT_EQ(imported.model.options().num_classes, 3);
    EXPECT_EQ(imported.model.options().patchout.s_patchout_t, 1);
    EXPECT_EQ(imported.report.reinitialized,
              (std::vector<std::string>{"head.1.weight", "head.1.bias", "head_dist.weight", "head_dist.bias"}));
    EXPECT_EQ(imported.report.tensors, 35);
    auto params = imported.model.module()->named_parameters();
    EXPECT_EQ(params["head.1.weight"].sizes(), (std::vector<std::int64_t>{3, 64}));
    EXPECT_TRUE(torch::equal(params["head.1.bias"], torch::zeros({3})));
    EXPECT_TRUE(torch::equal(params["head.0.weight"], reference->model.module()->named_parameters()["head.0.weight"]));
    // The body is the reference's: its features are unchanged.
    auto input = test::readF32(fixturesDir() / "input_full.f32");
    const auto out = imported.model.forward(input.data(), 2, 100);
    EXPECT_LE(test::maxAbsDiff(out.features, test::readF32(fixturesDir() / "full_features.f32")).max_abs, 1e-4);
}

TEST_F(CheckpointImport, ArchitectureMismatchesAreExplained) {
    auto io = tinyImport();
    io.num_heads = 5;
    EXPECT_EQ(codeOf([&] { importCheckpoint(fixturesDir() / "tiny_passt.pt", io); }), ErrorCode::Model);
    io = tinyImport();
    io.stride_f = 16;
    const auto msg = messageOf([&] { importCheckpoint(fixturesDir() / "tiny_passt.pt", io); });
    EXPECT_NE(msg.find("frequency positions"), std::string::npos) << msg;

    // A checkpoint missing one block tensor and carrying an extra one.
    TempDir dir;
    Tensors broken;
    for (const auto& [k, t] : tensors)
        if (k != "blocks.1.attn.proj.bias")
            broken.emplace_back(k, t);
    broken.emplace_back("blocks.1.attn.extra", torch::zeros({2}));
    TorchZipWriter zip;
    PickleWriter p;
    p.proto();
    zip.stateDict(p, broken);
    p.stop();
    zip.write(dir / "broken.pt", p);
    const auto why = messageOf([&] { importCheckpoint(dir / "broken.pt", tinyImport()); });
    EXPECT_NE(why.find("missing blocks.1.attn.proj.bias"), std::string::npos) << why;
    EXPECT_NE(why.find("unexpected blocks.1.attn.extra"), std::string::npos) << why;

    // Not a PaSST at all.
    TorchZipWriter other;
    PickleWriter q;
    q.proto();
    other.stateDict(q, {{"conv.weight", torch::zeros({2, 2})}});
    q.stop();
    other.write(dir / "other.pt", q);
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "other.pt", tinyImport()); }), ErrorCode::Model);
    EXPECT_FALSE(inspectCheckpoint(dir / "other.pt").options.has_value());
}

TEST_F(CheckpointImport, HostileGlobalsAreNeverCalled) {
    TempDir dir;
    const auto marker = dir / "pwned";
    // {"payload": os.system("touch <marker>"), "state_dict": <weights>}
    TorchZipWriter zip;
    PickleWriter p;
    p.proto();
    p.emptyDict();
    p.mark();
    p.str("payload");
    p.global("posix", "system");
    p.mark();
    p.str("touch " + marker.string());
    p.tuple();
    p.reduce();
    p.str("state_dict");
    zip.stateDict(p, tensors);
    p.setItems();
    p.stop();
    zip.write(dir / "hostile.pt", p);
    const auto imported = importCheckpoint(dir / "hostile.pt", tinyImport());
    EXPECT_FALSE(std::filesystem::exists(marker));
    EXPECT_EQ(imported.report.ignored_globals, std::vector<std::string>{"posix.system"});
    EXPECT_TRUE(sameWeights(imported.model, reference->model));
}

TEST_F(CheckpointImport, CorruptArchivesGiveErrorsNotCrashes) {
    TempDir dir;
    auto writeWith = [&](const std::string& name, const std::function<void(PickleWriter&, TorchZipWriter&)>& body,
                         bool storages = true) {
        TorchZipWriter zip;
        PickleWriter p;
        p.proto();
        body(p, zip);
        p.stop();
        zip.write(dir / name, p, storages);
        return dir / name;
    };
    // A view reaching past its storage.
    const auto pastEnd = writeWith("past_end.pt", [&](PickleWriter& p, TorchZipWriter& zip) {
        zip.storages().push_back({"0", torch::zeros({4})});
        p.orderedDict();
        p.mark();
        p.str("cls_token");
        TorchZipWriter::view(p, "0", 4, 2, {1, 1, 3}, {3, 3, 1});
        p.setItems();
    });
    EXPECT_NE(messageOf([&] { inspectCheckpoint(pastEnd); }).find("past its storage"), std::string::npos);
    // A storage whose record is shorter than the pickle claims.
    const auto shortStorage = writeWith("short_storage.pt", [&](PickleWriter& p, TorchZipWriter& zip) {
        zip.storages().push_back({"0", torch::zeros({2})});
        p.orderedDict();
        p.mark();
        p.str("x");
        TorchZipWriter::view(p, "0", 4, 0, {4}, {1});
        p.setItems();
    });
    pickle::TorchArchive archive(shortStorage);
    EXPECT_EQ(codeOf([&] { archive.load(*archive.root().find("x")); }), ErrorCode::BadFormat);
    // A storage record that is missing.
    const auto missing = writeWith("missing.pt", [&](PickleWriter& p, TorchZipWriter& zip) {
        zip.stateDict(p, {{"x", torch::zeros({3})}});
    }, false);
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(missing); }), ErrorCode::BadFormat);
    // Truncated pickle, unknown opcode, stack underflow, memo miss.
    const auto truncated = writeWith("truncated.pt", [&](PickleWriter& p, TorchZipWriter&) { p.raw("X\xff\xff"); });
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(truncated); }), ErrorCode::BadFormat);
    const auto opcode = writeWith("opcode.pt", [&](PickleWriter& p, TorchZipWriter&) { p.raw("I12\n"); });
    EXPECT_NE(messageOf([&] { inspectCheckpoint(opcode); }).find("opcode"), std::string::npos);
    const auto underflow = writeWith("underflow.pt", [&](PickleWriter& p, TorchZipWriter&) { p.reduce(); });
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(underflow); }), ErrorCode::BadFormat);
    const auto memo = writeWith("memo.pt", [&](PickleWriter& p, TorchZipWriter&) { p.get(9); });
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(memo); }), ErrorCode::BadFormat);
    // A storage key naming a path outside the archive's data/ folder is refused before any record
    // is looked up (and records are only ever read into memory, never extracted to disk).
    for (const std::string key : {"../../etc/passwd", "/etc/passwd", "a/../../b", "..\\x"}) {
        const auto escape = writeWith("escape.pt", [&](PickleWriter& p, TorchZipWriter&) {
            p.orderedDict();
            p.mark();
            p.str("x");
            TorchZipWriter::view(p, key, 4, 0, {4}, {1});
            p.setItems();
        }, false);
        EXPECT_NE(messageOf([&] { inspectCheckpoint(escape); }).find("bad storage key"), std::string::npos) << key;
    }
    // A list nested a million deep is freed without recursion.
    const auto deep = writeWith("deep.pt", [&](PickleWriter& p, TorchZipWriter&) {
        for (int i = 0; i < 1000000; ++i) {
            p.mark();
            if (i == 0)
                p.emptyList();
        }
        for (int i = 0; i < 1000000; ++i)
            p.op('l');
    });
    EXPECT_EQ(codeOf([&] { inspectCheckpoint(deep); }), ErrorCode::BadFormat);  // not a dict

    // Not an archive: a truncated zip, a legacy torch.save, text.
    std::string zipBytes = readAll(fixturesDir() / "tiny_passt.pt");
    writeAll(dir / "cut.pt", zipBytes.substr(0, zipBytes.size() / 2));
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "cut.pt"); }), ErrorCode::BadFormat);
    writeAll(dir / "legacy.pt", std::string("\x80\x02\x8a\x0a", 4) + "rest");
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "legacy.pt"); }), ErrorCode::Unsupported);
    writeAll(dir / "text.pt", "just text");
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "text.pt"); }), ErrorCode::BadFormat);
    EXPECT_EQ(codeOf([&] { importCheckpoint(dir / "absent.pt"); }), ErrorCode::FileNotFound);
}

TEST(TorchPickle, InterpretsDataOpcodes) {
    PickleWriter p;
    p.proto();
    p.emptyDict();
    p.put(0);
    p.mark();
    p.str("ints");
    p.ints({0, 255, 256, -1, 70000, 5000000000LL, -5000000000LL});
    p.str("real");
    p.real(-2.5);
    p.str("flags");
    p.mark();
    p.boolean(true);
    p.boolean(false);
    p.none();
    p.tuple();
    p.str("list");
    p.emptyList();
    p.mark();
    p.str("a");
    p.str("b");
    p.appends();
    p.str("self");
    p.get(0);
    p.setItems();
    p.stop();
    const auto& b = p.bytes();
    const auto out = pickle::unpickle(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), nullptr);
    const auto& root = *out.root;
    ASSERT_EQ(root.kind, pickle::Kind::Dict);
    const auto* ints = root.find("ints");
    ASSERT_TRUE(ints && ints->kind == pickle::Kind::Tuple);
    std::vector<std::int64_t> values;
    for (const auto& v : ints->items)
        values.push_back(v->integer);
    EXPECT_EQ(values, (std::vector<std::int64_t>{0, 255, 256, -1, 70000, 5000000000LL, -5000000000LL}));
    EXPECT_DOUBLE_EQ(root.find("real")->real, -2.5);
    const auto* flags = root.find("flags");
    ASSERT_EQ(flags->items.size(), 3u);
    EXPECT_TRUE(flags->items[0]->boolean);
    EXPECT_FALSE(flags->items[1]->boolean);
    EXPECT_EQ(flags->items[2]->kind, pickle::Kind::None);
    ASSERT_EQ(root.find("list")->items.size(), 2u);
    EXPECT_EQ(root.find("list")->items[1]->text, "b");
    EXPECT_EQ(root.find("self"), &root);  // the memo gives back the same object (a cycle)
    EXPECT_EQ(root.find("absent"), nullptr);
    // The one dtype table: safetensors names, storage classes, LibTorch's types.
    EXPECT_STREQ(dtypeName(*pickle::dtypeOf(at::kBFloat16)), "BF16");
    EXPECT_EQ(dtypeOfStorage("torch.BFloat16Storage"), DType::BF16);
    EXPECT_EQ(dtypeNamed("I64"), DType::I64);
    EXPECT_EQ(elementSize(DType::F16), 2u);
    for (const auto& d : kDTypes)
        EXPECT_EQ(pickle::dtypeOf(pickle::scalarType(d.type)), d.type) << d.name;
    EXPECT_FALSE(dtypeNamed("F8"));
    EXPECT_FALSE(pickle::dtypeOf(at::kComplexFloat));
}

// Found by reading (and then by fuzz_safetensors' design): dimensions each under 2^40 whose
// product overflows 64 bits passed the size check and reached torch::empty.
TEST(ModelFile, AShapeWhoseProductOverflowsIsRefused) {
    test::TempDir dir;
    const std::string header =
        R"({"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}})";
    std::string bytes(8, '\0');
    const std::uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8);
    bytes += header + std::string(4, '\0');
    std::ofstream(dir.path() / "big.safetensors", std::ios::binary) << bytes;
    std::ifstream in(dir.path() / "big.safetensors", std::ios::binary);
    try {
        readSafetensorsHeader(dir.path() / "big.safetensors", in);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
    }
}
