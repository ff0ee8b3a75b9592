// Runs side by side: finding runs in folders, the settings in which they differ, and their curves
// written together as CSV and SVG.
#include "data_support.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_comparison.h"
#include "test_support.h"

#include <gtest/gtest.h>

using namespace patchout;
namespace fs = std::filesystem;

namespace {

// A run folder with `lr`, an augment setting and two epochs of curves.
void writeRun(const fs::path& dir, double lr, double mixup, const std::string& split = "own") {
    char options[256];
    std::snprintf(options, sizeof options,
                  R"({"options":{"preset":"passt-micro","lr":%g,"augment":{"mixup_alpha":%g,"gain_db":6.0}},)"
                  R"("dataset":{"root":"/data/words"},"split":{"name":"%s"}})",
                  lr, mixup, split.c_str());
    writeTextAtomically(dir / "config.json", options);
    writeTextAtomically(
        dir / "metrics.jsonl",
        R"({"type":"step","epoch":1,"step":5,"loss":2.3,"lr":0.0001,"examples_per_s":300})" "\n"
        R"({"type":"epoch","epoch":1,"step":10,"train_loss":2.2,"lr":0.0002,"validation":{"examples":40,"loss":1.9,"accuracy":0.35},"seconds":4.5})" "\n"
        R"({"type":"step","epoch":2,"step":15,"loss":1.5,"lr":0.0002,"examples_per_s":310})" "\n"
        R"({"type":"epoch","epoch":2,"step":20,"train_loss":1.4,"lr":0.0001,"validation":{"examples":40,"loss":1.2,"accuracy":0.6},"seconds":4.0})" "\n");
}

}  // namespace

TEST(RunComparison, FindsRunsInFoldersOnceEach) {
    test::TempDir dir;
    writeRun(dir / "runs" / "b", 1e-3, 0.3);
    writeRun(dir / "runs" / "a", 5e-4, 0.3);
    fs::create_directories(dir / "runs" / "not-a-run");
    const auto runs = findRuns({dir / "runs", dir / "runs" / "a"});
    ASSERT_EQ(runs.size(), 2u);  // a once, in name order
    EXPECT_EQ(runs[0].filename(), "a");
    EXPECT_EQ(runs[1].filename(), "b");
    test::expectError([&] { findRuns({dir / "runs" / "not-a-run"}); }, ErrorCode::Dataset, "folder of runs");
    test::expectError([&] { findRuns({dir / "nowhere"}); }, ErrorCode::FileNotFound, "nowhere");
}

TEST(RunComparison, ListsOnlyTheSettingsThatDiffer) {
    test::TempDir dir;
    writeRun(dir / "a", 1e-3, 0.3);
    writeRun(dir / "b", 5e-4, 0.3);
    writeRun(dir / "c", 1e-3, 0.0, "group");
    const auto d = differingOptions({dir / "a", dir / "b", dir / "c"});
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].name, "lr");
    EXPECT_EQ(d[0].values, (std::vector<std::string>{"0.001", "0.0005", "0.001"}));
    EXPECT_EQ(d[1].name, "augment.mixup_alpha");
    EXPECT_EQ(d[2].name, "split.name");
    EXPECT_EQ(d[2].values, (std::vector<std::string>{"own", "own", "group"}));
    EXPECT_TRUE(differingOptions({dir / "a", dir / "a"}).empty());
    writeTextAtomically(dir / "b" / "config.json", "{not json");
    test::expectError([&] { differingOptions({dir / "a", dir / "b"}); }, ErrorCode::BadFormat, "config.json");
}

TEST(RunComparison, WritesTheCurvesOfEveryRunAsCsvAndSvg) {
    test::TempDir dir;
    writeRun(dir / "fast", 1e-3, 0.3);
    writeRun(dir / "a <&> b", 5e-4, 0.3);
    const std::vector<RunFolder> runs = {readRunFolder(dir / "fast"), readRunFolder(dir / "a <&> b")};
    writeRunCurvesCsv(dir / "curves.csv", runs);
    const std::string csv = test::readText(dir / "curves.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "run,type,epoch,step,loss,lr,examples_per_s,train_loss,validation_loss,validation_accuracy,seconds");
    EXPECT_NE(csv.find("fast,step,1,5,2.3,0.0001,300,,,,\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("fast,epoch,2,20,,0.0001,,1.4,1.2,0.6,4\n"), std::string::npos) << csv;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 9);  // header + 2 runs x 4 lines
    writeRunCurvesSvg(dir / "curves.svg", runs);
    const std::string svg = test::readText(dir / "curves.svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    // Four panels, a line per run in each (validation accuracy from the epochs), a legend entry each.
    std::size_t lines = 0;
    for (std::size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1))
        ++lines;
    EXPECT_EQ(lines, 8u);
    EXPECT_NE(svg.find("stroke=\"" + runColour(1) + "\""), std::string::npos);
    EXPECT_NE(svg.find(">a &lt;&amp;&gt; b</text>"), std::string::npos);  // names escaped
    EXPECT_NE(runColour(0), runColour(1));
    EXPECT_EQ(runColour(0), runColour(10));
    EXPECT_EQ(runLabel(runs[0]), "fast");
}
