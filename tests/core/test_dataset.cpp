// Dataset readers on tiny generated examples of every layout: what each reads, and how each kind
// of bad input is reported (strict: Error(Dataset) naming file and line; skip_bad_rows: the row is
// left out and counted).
#include "data_support.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/text.h"
#include "test_support.h"

#include <functional>
#include <map>
#include <set>

using namespace patchout;
using patchout::test::appendLine;
using patchout::test::TempDir;
using patchout::test::writeGarbage;
using patchout::test::writeText;
using patchout::test::writeTone;
namespace fs = std::filesystem;

namespace {

// ---- one small, valid dataset per layout (4 clips, 2 classes) ------------------------------------

void makeCsv(const fs::path& root) {
    writeTone(root / "audio/dog1.wav", 300);
    writeTone(root / "audio/dog2.wav", 400);
    writeTone(root / "audio/cat1.wav", 500);
    writeTone(root / "audio/cat2.wav", 600, 0.2);
    writeText(root / "labels.csv", "filename,label,split\n"
                                   "audio/dog1.wav,dog,train\n"
                                   "audio/dog2.wav,dog,test\n"
                                   "audio/cat1.wav,cat,train\n"
                                   "audio/cat2.wav,cat;dog,val\n");
}

void makeFsdd(const fs::path& root) {
    writeTone(root / "recordings/0_george_0.wav", 300);
    writeTone(root / "recordings/0_jackson_0.wav", 350);
    writeTone(root / "recordings/1_george_0.wav", 500);
    writeTone(root / "recordings/1_jackson_0.wav", 550);
    writeText(root / "labels.csv", "filename,label,speaker,take,split\n"
                                   "recordings/0_george_0.wav,0,george,0,test\n"
                                   "recordings/0_jackson_0.wav,0,jackson,0,train\n"
                                   "recordings/1_george_0.wav,1,george,0,test\n"
                                   "recordings/1_jackson_0.wav,1,jackson,0,train\n");
}

void makeFolder(const fs::path& root) {
    writeTone(root / "dog/a.wav", 300);
    writeTone(root / "dog/b.wav", 310);
    writeTone(root / "cat/a.wav", 500);
    writeTone(root / "cat/sub/b.wav", 510);
}

void makeEsc50(const fs::path& root) {
    writeTone(root / "audio/1-100-A-0.wav", 300);
    writeTone(root / "audio/2-100-B-0.wav", 310);
    writeTone(root / "audio/1-200-A-1.wav", 500);
    writeTone(root / "audio/5-200-B-1.wav", 510);
    writeText(root / "meta/esc50.csv", "filename,fold,target,category,esc10,src_file,take\n"
                                       "1-100-A-0.wav,1,0,dog,True,100,A\n"
                                       "2-100-B-0.wav,2,0,dog,True,100,B\n"
                                       "1-200-A-1.wav,1,1,rooster,False,200,A\n"
                                       "5-200-B-1.wav,5,1,rooster,False,200,B\n");
}

void makeFsd50k(const fs::path& root) {
    writeTone(root / "FSD50K.dev_audio/11.wav", 300);
    writeTone(root / "FSD50K.dev_audio/12.wav", 310);
    writeTone(root / "FSD50K.eval_audio/21.wav", 500);
    writeTone(root / "FSD50K.eval_audio/22.wav", 510);
    writeText(root / "FSD50K.ground_truth/vocabulary.csv", "0,Bark,/m/05tny_\n1,Meow,/m/07qrkrw\n");
    writeText(root / "FSD50K.ground_truth/dev.csv", "fname,labels,mids,split\n"
                                                    "11,Bark,/m/05tny_,train\n"
                                                    "12,\"Bark,Meow\",\"/m/05tny_,/m/07qrkrw\",val\n");
    writeText(root / "FSD50K.ground_truth/eval.csv", "fname,labels,mids\n"
                                                     "21,Meow,/m/07qrkrw\n"
                                                     "22,Bark,/m/05tny_\n");
}

void makeAudioSet(const fs::path& root) {
    writeTone(root / "balanced_train/aaa.wav", 300);
    writeTone(root / "balanced_train/Ybbb.flac", 310);
    writeTone(root / "eval/ccc.wav", 500);
    writeTone(root / "eval/ddd.wav", 510);
    writeText(root / "class_labels_indices.csv", "index,mid,display_name\n"
                                                 "0,/m/05tny_,Bark\n"
                                                 "1,/m/01yrx,\"Cat, domestic\"\n");
    writeText(root / "balanced_train_segments.csv",
              "# Segments csv created Sun Mar  5 10:54:31 2017\n"
              "# num_ytids=2, num_segs=2, num_unique_labels=2, num_positive_labels=3\n"
              "# YTID, start_seconds, end_seconds, positive_labels\n"
              "aaa, 30.000, 40.000, \"/m/05tny_\"\n"
              "bbb, 0.000, 10.000, \"/m/05tny_,/m/01yrx\"\n");
    writeText(root / "eval_segments.csv", "# YTID, start_seconds, end_seconds, positive_labels\n"
                                          "ccc, 10.000, 20.000, \"/m/01yrx\"\n"
                                          "ddd, 5.000, 15.000, \"/m/05tny_\"\n");
}

void makeSpeechCommands(const fs::path& root) {
    writeTone(root / "yes/a1b2_nohash_0.wav", 300);
    writeTone(root / "yes/c3d4_nohash_0.wav", 310);
    writeTone(root / "no/a1b2_nohash_0.wav", 500);
    writeTone(root / "no/e5f6_nohash_1.wav", 510);
    writeTone(root / "_background_noise_/white_noise.wav", 1000);
    writeText(root / "validation_list.txt", "yes/c3d4_nohash_0.wav\n");
    writeText(root / "testing_list.txt", "no/e5f6_nohash_1.wav\n");
}

Dataset read(const fs::path& root, bool skip = false, DatasetFormat format = DatasetFormat::Auto) {
    DatasetReadOptions o;
    o.format = format;
    o.skip_bad_rows = skip;
    return readDataset(root, o);
}

const Clip& clipNamed(const Dataset& ds, const std::string& path) {
    for (const auto& c : ds.clips)
        if (c.path == path)
            return c;
    throw std::runtime_error("no clip " + path);
}

}  // namespace

// ---- what each reader reads ----------------------------------------------------------------------

TEST(DataReaders, CsvWithHeaderSplitsAndMultiLabel) {
    TempDir dir;
    makeCsv(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Csv);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.format, DatasetFormat::Csv);
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"cat", "dog"}));
    ASSERT_EQ(ds.clips.size(), 4u);
    EXPECT_TRUE(ds.multi_label);
    EXPECT_EQ(clipNamed(ds, "audio/cat2.wav").labels, (std::vector<int>{0, 1}));
    EXPECT_EQ(clipNamed(ds, "audio/cat2.wav").split, kSplitValidation);
    EXPECT_EQ(clipNamed(ds, "audio/dog2.wav").split, kSplitTest);
    EXPECT_EQ(clipNamed(ds, "audio/dog1.wav").source, "labels.csv:2");
    EXPECT_NEAR(clipNamed(ds, "audio/cat2.wav").duration_s, 0.2, 1e-3);
    EXPECT_EQ(ds.classCounts(), (std::vector<std::size_t>{2, 3}));
    EXPECT_TRUE(ds.problems.empty());
}

// A large dataset reports its rows as they are checked, and a cancelled job stops the read.
TEST(DataReaders, ReadingReportsProgressAndCanBeCancelled) {
    TempDir dir;
    std::string csv = "filename,label\n";
    for (int i = 0; i < 600; ++i) {
        const std::string name = "f" + std::to_string(i) + ".wav";
        writeText(dir.path() / name, "x");
        csv += name + (i % 2 ? ",a\n" : ",b\n");
    }
    writeText(dir.path() / "labels.csv", csv);
    std::vector<Progress> seen;
    JobControl job([&](const Progress& p) { seen.push_back(p); });
    const Dataset ds = readDataset(dir.path(), {.check_audio = false, .job = &job});
    EXPECT_EQ(ds.clips.size(), 600u);
    ASSERT_EQ(seen.size(), 3u);  // rows 0, 256, 512
    EXPECT_EQ(seen[1].step, 256);
    EXPECT_EQ(seen[2].total, 600);
    EXPECT_EQ(seen[0].message, "checking clips");
    job.cancel();
    try {
        readDataset(dir.path(), {.check_audio = false, .job = &job});
        FAIL() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
}

TEST(DataReaders, CsvWithoutHeaderTakesFoldsAndClassesTxtOrder) {
    TempDir dir;
    writeTone(dir / "x.wav", 300);
    writeTone(dir / "y.wav", 400);
    writeText(dir / "meta.csv", "x.wav,dog,1\ny.wav,cat,2\n");
    writeText(dir / "classes.txt", "dog\ncat\n");
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"dog", "cat"}));
    EXPECT_EQ(clipNamed(ds, "x.wav").fold, 1);
    EXPECT_EQ(clipNamed(ds, "y.wav").labels, std::vector<int>{1});
    EXPECT_FALSE(ds.multi_label);
}

TEST(DataReaders, NumericClassNamesSortByValue) {
    TempDir dir;
    for (int i : {2, 10, 1})
        writeTone(dir / ("c" + std::to_string(i) + ".wav"), 200 + i * 10);
    writeText(dir / "labels.csv", "filename,label\nc2.wav,2\nc10.wav,10\nc1.wav,1\n");
    EXPECT_EQ(read(dir.path()).classes, (std::vector<std::string>{"1", "2", "10"}));
}

TEST(DataReaders, FsddLabelsCsvGivesSpeakers) {
    TempDir dir;
    makeFsdd(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Fsdd);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"0", "1"}));
    EXPECT_EQ(ds.groups(), (std::vector<std::string>{"george", "jackson"}));
    EXPECT_EQ(clipNamed(ds, "recordings/1_george_0.wav").group, "george");
    EXPECT_EQ(clipNamed(ds, "recordings/1_george_0.wav").split, kSplitTest);
}

TEST(DataReaders, FsddWithoutSpeakerColumnIsRejected) {
    TempDir dir;
    writeTone(dir / "recordings/0_a_0.wav");
    writeText(dir / "labels.csv", "filename,label\nrecordings/0_a_0.wav,0\n");
    try {
        read(dir.path(), false, DatasetFormat::Fsdd);
        FAIL() << "expected Error(Dataset)";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Dataset);
        EXPECT_NE(e.context().find("labels.csv:1"), std::string::npos) << e.context();
    }
}

TEST(DataReaders, FolderPerClassIncludingSubfolders) {
    TempDir dir;
    makeFolder(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Folder);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"cat", "dog"}));
    ASSERT_EQ(ds.clips.size(), 4u);
    EXPECT_EQ(clipNamed(ds, "cat/sub/b.wav").labels, std::vector<int>{0});
    EXPECT_EQ(clipNamed(ds, "dog/a.wav").split, "");
}

TEST(DataReaders, FolderWithSplitFolders) {
    TempDir dir;
    writeTone(dir / "train/dog/a.wav", 300);
    writeTone(dir / "train/cat/a.wav", 400);
    writeTone(dir / "test/dog/b.wav", 500);
    writeTone(dir / "val/cat/b.wav", 600);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"cat", "dog"}));
    EXPECT_EQ(clipNamed(ds, "test/dog/b.wav").split, kSplitTest);
    EXPECT_EQ(clipNamed(ds, "val/cat/b.wav").split, kSplitValidation);
    EXPECT_EQ(clipNamed(ds, "train/cat/a.wav").labels, std::vector<int>{0});
}

TEST(DataReaders, Esc50FoldsCategoriesAndSourceGroups) {
    TempDir dir;
    makeEsc50(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Esc50);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"dog", "rooster"}));
    EXPECT_EQ(clipNamed(ds, "audio/5-200-B-1.wav").fold, 5);
    EXPECT_EQ(clipNamed(ds, "audio/5-200-B-1.wav").labels, std::vector<int>{1});
    EXPECT_EQ(clipNamed(ds, "audio/2-100-B-0.wav").group, "100");
}

TEST(DataReaders, Fsd50kMultiLabelDevAndEval) {
    TempDir dir;
    makeFsd50k(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Fsd50k);
    const Dataset ds = read(dir.path());
    EXPECT_TRUE(ds.multi_label);
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"Bark", "Meow"}));
    EXPECT_EQ(clipNamed(ds, "FSD50K.dev_audio/12.wav").labels, (std::vector<int>{0, 1}));
    EXPECT_EQ(clipNamed(ds, "FSD50K.dev_audio/12.wav").split, kSplitValidation);
    EXPECT_EQ(clipNamed(ds, "FSD50K.dev_audio/11.wav").split, kSplitTrain);
    EXPECT_EQ(clipNamed(ds, "FSD50K.eval_audio/21.wav").split, kSplitTest);
}

TEST(DataReaders, AudioSetSegmentsMapMidsToNames) {
    TempDir dir;
    makeAudioSet(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::AudioSet);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"Bark", "Cat, domestic"}));
    ASSERT_EQ(ds.clips.size(), 4u);
    EXPECT_EQ(clipNamed(ds, "balanced_train/Ybbb.flac").labels, (std::vector<int>{0, 1}));
    EXPECT_EQ(clipNamed(ds, "balanced_train/aaa.wav").split, kSplitTrain);
    EXPECT_EQ(clipNamed(ds, "eval/ccc.wav").split, kSplitTest);
    EXPECT_EQ(clipNamed(ds, "eval/ccc.wav").source, "eval_segments.csv:2");
}

// Found by fuzz_dataset: a class table whose header repeats a column read past the end of its
// three-field rows. The rows are as wide as the header or malformed.
TEST(DataReaders, AudioSetClassTableWiderHeaderIsAProblemNotACrash) {
    TempDir dir;
    makeAudioSet(dir.path());
    writeText(dir.path() / "class_labels_indices.csv", "index,index,mid,display_name\n"
                                                       "0,/m/05tny_,Bark\n");
    try {
        read(dir.path());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("class_labels_indices.csv:2"), std::string::npos) << e.what();
    }
}

TEST(DataReaders, SpeechCommandsListsAndSpeakers) {
    TempDir dir;
    makeSpeechCommands(dir.path());
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::SpeechCommands);
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"no", "yes"}));
    ASSERT_EQ(ds.clips.size(), 4u);  // _background_noise_ is not a class
    EXPECT_EQ(clipNamed(ds, "yes/c3d4_nohash_0.wav").split, kSplitValidation);
    EXPECT_EQ(clipNamed(ds, "no/e5f6_nohash_1.wav").split, kSplitTest);
    EXPECT_EQ(clipNamed(ds, "no/a1b2_nohash_0.wav").split, kSplitTrain);
    EXPECT_EQ(clipNamed(ds, "no/a1b2_nohash_0.wav").group, "a1b2");
    EXPECT_EQ(ds.groups().size(), 3u);
}

TEST(DataReaders, ExplicitFormatOverridesDetection) {
    TempDir dir;
    makeFolder(dir.path());
    writeText(dir / "labels.csv", "filename,label\ndog/a.wav,dog\n");
    EXPECT_EQ(detectDatasetFormat(dir.path()), DatasetFormat::Csv);
    EXPECT_EQ(read(dir.path(), false, DatasetFormat::Folder).clips.size(), 4u);
    EXPECT_EQ(read(dir.path(), false, DatasetFormat::Csv).clips.size(), 1u);
}

TEST(DataReaders, DetectionFailsClearly) {
    TempDir dir;
    writeText(dir / "notes.txt", "nothing here");
    EXPECT_THROW(detectDatasetFormat(dir.path()), Error);
    try {
        detectDatasetFormat(dir / "absent");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound);
    }
}

TEST(DataReaders, FormatNamesRoundTrip) {
    for (const auto& name : datasetFormatNames())
        EXPECT_EQ(datasetFormatName(parseDatasetFormat(name)), name);
    EXPECT_EQ(parseDatasetFormat("ESC50"), DatasetFormat::Esc50);
    EXPECT_THROW(parseDatasetFormat("imagenet"), Error);
}

TEST(DataReaders, AudioExtensions) {
    EXPECT_TRUE(isAudioExtension("a/b.WAV"));
    EXPECT_TRUE(isAudioExtension("b.flac"));
    EXPECT_FALSE(isAudioExtension("b.txt"));
    EXPECT_FALSE(isAudioExtension("wav"));
}

TEST(DataReaders, ClassIndexAndCountsOfSubset) {
    TempDir dir;
    makeCsv(dir.path());
    const Dataset ds = read(dir.path());
    EXPECT_EQ(ds.classIndex("dog"), 1);
    EXPECT_EQ(ds.classIndex("cow"), -1);
    std::vector<std::size_t> catOnly;
    for (std::size_t i = 0; i < ds.clips.size(); ++i)
        if (ds.clips[i].path == "audio/cat1.wav")
            catOnly.push_back(i);
    EXPECT_EQ(ds.classCounts(catOnly), (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(ds.clipPath(catOnly[0]), dir.path() / "audio/cat1.wav");
}

TEST(DataReaders, CheckAudioOffSkipsProbing) {
    TempDir dir;
    makeCsv(dir.path());
    writeGarbage(dir / "audio/dog1.wav");
    DatasetReadOptions o;
    o.check_audio = false;
    const Dataset ds = readDataset(dir.path(), o);
    EXPECT_EQ(ds.clips.size(), 4u);
    EXPECT_EQ(clipNamed(ds, "audio/dog1.wav").duration_s, 0.0);
}

TEST(DataReaders, CsvSplitterHandlesQuotesAndBlanks) {
    // The reading dataset metadata gets: trimmed, one row per line.
    const CsvReadOptions metadata{.trim = true, .one_row_per_line = true};
    const auto rows = parseCsv("a, \"b,c\" ,\"say \"\"hi\"\"\",", "t.csv", metadata);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b,c", "say \"hi\"", ""}));
    EXPECT_FALSE(rows[0].unclosed_quote);
    EXPECT_TRUE(parseCsv("a,\"open", "t.csv", metadata).at(0).unclosed_quote);
    EXPECT_EQ(splitOn(" a; b ;;c", ';'), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(DataReaders, AnUnclosedQuoteSpoilsOnlyItsOwnRow) {
    TempDir dir;
    makeCsv(dir.path());
    writeTone(dir / "audio/dog3.wav", 700);
    const int bad = appendLine(dir / "labels.csv", "\"audio/gone.wav,dog,train");
    appendLine(dir / "labels.csv", "\"audio/dog3.wav\",dog,train");
    const Dataset ds = read(dir.path(), /*skip=*/true);
    ASSERT_EQ(ds.problems.size(), 1u);
    EXPECT_EQ(ds.problems[0].kind, ProblemKind::MalformedRow);
    EXPECT_EQ(ds.problems[0].line, bad);
    EXPECT_NE(ds.problems[0].message.find("quote"), std::string::npos) << ds.problems[0].describe();
    EXPECT_EQ(ds.clips.size(), 5u);
}

// ---- every kind of bad input, in every layout where it can occur --------------------------------

namespace {

struct Where {
    std::string file;
    int line = 0;
    // Rows that become unusable (0 for an empty class, which is reported but kept).
    std::size_t skipped = 1;
    std::size_t added = 0;  // good clips the spoiling added
};

struct ProblemCase {
    std::string name;
    std::function<void(const fs::path&)> make;
    ProblemKind kind;
    std::function<Where(const fs::path&)> spoil;
};

std::vector<ProblemCase> problemCases() {
    using K = ProblemKind;
    std::vector<ProblemCase> c;
    // Generic CSV and FSDD share the reader; both are spoiled through labels.csv.
    for (const auto& [fmt, make, a, b] :
         {std::tuple{std::string("Csv"), std::function<void(const fs::path&)>(makeCsv),
                     std::string("audio/dog1.wav"), std::string(",dog,train")},
          std::tuple{std::string("Fsdd"), std::function<void(const fs::path&)>(makeFsdd),
                     std::string("recordings/0_george_0.wav"), std::string(",0,george,0,test")}}) {
        const std::string f = fmt == "Csv" ? "labels.csv" : "labels.csv";
        const std::string okLabel = fmt == "Csv" ? "dog" : "0";
        auto row = [fmt = fmt](const std::string& path, const std::string& label) {
            return fmt == "Csv" ? path + "," + label + ",train" : path + "," + label + ",zoe,0,train";
        };
        c.push_back({fmt + "MissingFile", make, K::MissingFile, [=](const fs::path& r) {
                         return Where{f, appendLine(r / f, row("audio/gone.wav", okLabel))};
                     }});
        c.push_back({fmt + "UnreadableFile", make, K::UnreadableFile, [=](const fs::path& r) {
                         writeGarbage(r / "junk.wav");
                         return Where{f, appendLine(r / f, row("junk.wav", okLabel))};
                     }});
        c.push_back({fmt + "UnknownLabel", make, K::UnknownLabel, [=](const fs::path& r) {
                         writeText(r / "classes.txt", fmt == "Csv" ? "cat\ndog\n" : "0\n1\n");
                         writeTone(r / "extra.wav", 777);
                         return Where{f, appendLine(r / f, row("extra.wav", "cow"))};
                     }});
        c.push_back({fmt + "EmptyClass", make, K::EmptyClass, [=](const fs::path& r) {
                         writeText(r / "classes.txt", fmt == "Csv" ? "cat\ndog\nbird\n" : "0\n1\n2\n");
                         return Where{"classes.txt", 0, 0};
                     }});
        c.push_back({fmt + "Duplicate", make, K::Duplicate, [=](const fs::path& r) {
                         return Where{f, appendLine(r / f, row("./" + a, okLabel))};
                     }});
        c.push_back({fmt + "MalformedRow", make, K::MalformedRow, [=](const fs::path& r) {
                         return Where{f, appendLine(r / f, "only-one-column.wav")};
                     }});
        c.push_back({fmt + "MalformedSplit", make, K::MalformedRow, [=](const fs::path& r) {
                         const std::string bad = fmt == "Csv" ? "x.wav,dog,someday"
                                                              : "x.wav,0,zoe,0,someday";
                         return Where{f, appendLine(r / f, bad)};
                     }});
        c.push_back({fmt + "AbsolutePath", make, K::PathEscapesRoot, [=](const fs::path& r) {
                         writeTone(r.parent_path() / (r.filename().string() + "-outside.wav"));
                         return Where{f, appendLine(r / f, row(fs::absolute(r).string() + "-outside.wav",
                                                               okLabel))};
                     }});
        c.push_back({fmt + "DotDotPath", make, K::PathEscapesRoot, [=](const fs::path& r) {
                         return Where{f, appendLine(r / f, row("audio/../../secret.wav", okLabel))};
                     }});
        (void)b;
    }
    // Folder per class: files are found, not listed, so only these can go wrong.
    c.push_back({"FolderUnreadableFile", makeFolder, K::UnreadableFile, [](const fs::path& r) {
                     writeGarbage(r / "dog/bad.wav");
                     return Where{"dog/bad.wav", 0};
                 }});
    c.push_back({"FolderEmptyClass", makeFolder, K::EmptyClass, [](const fs::path& r) {
                     fs::create_directories(r / "bird");
                     return Where{".", 0, 0};
                 }});
    c.push_back({"FolderStrayFile", makeFolder, K::MalformedRow, [](const fs::path& r) {
                     writeTone(r / "stray.wav");
                     return Where{"stray.wav", 0};
                 }});
    // ESC-50.
    const std::string esc = "meta/esc50.csv";
    c.push_back({"Esc50MissingFile", makeEsc50, K::MissingFile, [=](const fs::path& r) {
                     return Where{esc, appendLine(r / esc, "3-9-A-0.wav,3,0,dog,True,9,A")};
                 }});
    c.push_back({"Esc50UnreadableFile", makeEsc50, K::UnreadableFile, [=](const fs::path& r) {
                     writeGarbage(r / "audio/3-9-A-0.wav");
                     return Where{esc, appendLine(r / esc, "3-9-A-0.wav,3,0,dog,True,9,A")};
                 }});
    c.push_back({"Esc50UnknownLabel", makeEsc50, K::UnknownLabel, [=](const fs::path& r) {
                     writeTone(r / "audio/3-9-A-0.wav", 900);
                     return Where{esc, appendLine(r / esc, "3-9-A-0.wav,3,0,cat,True,9,A")};
                 }});
    c.push_back({"Esc50EmptyClass", makeEsc50, K::EmptyClass, [=](const fs::path& r) {
                     // Target 3 exists, so target 2 is a class with no clips.
                     writeTone(r / "audio/3-9-A-3.wav", 900);
                     appendLine(r / esc, "3-9-A-3.wav,3,3,cow,False,9,A");
                     return Where{esc, 0, 0, 1};
                 }});
    c.push_back({"Esc50Duplicate", makeEsc50, K::Duplicate, [=](const fs::path& r) {
                     return Where{esc, appendLine(r / esc, "1-100-A-0.wav,1,0,dog,True,100,A")};
                 }});
    c.push_back({"Esc50MalformedRow", makeEsc50, K::MalformedRow, [=](const fs::path& r) {
                     return Where{esc, appendLine(r / esc, "3-9-A-0.wav,three,0,dog,True,9,A")};
                 }});
    c.push_back({"Esc50DotDotPath", makeEsc50, K::PathEscapesRoot, [=](const fs::path& r) {
                     return Where{esc, appendLine(r / esc, "../../x.wav,3,0,dog,True,9,A")};
                 }});
    // FSD50K.
    const std::string dev = "FSD50K.ground_truth/dev.csv";
    c.push_back({"Fsd50kMissingFile", makeFsd50k, K::MissingFile, [=](const fs::path& r) {
                     return Where{dev, appendLine(r / dev, "13,Bark,/m/05tny_,train")};
                 }});
    c.push_back({"Fsd50kUnreadableFile", makeFsd50k, K::UnreadableFile, [=](const fs::path& r) {
                     writeGarbage(r / "FSD50K.dev_audio/13.wav");
                     return Where{dev, appendLine(r / dev, "13,Bark,/m/05tny_,train")};
                 }});
    c.push_back({"Fsd50kUnknownLabel", makeFsd50k, K::UnknownLabel, [=](const fs::path& r) {
                     writeTone(r / "FSD50K.dev_audio/13.wav", 900);
                     return Where{dev, appendLine(r / dev, "13,\"Bark,Moo\",\"/m/05tny_,/m/x\",train")};
                 }});
    c.push_back({"Fsd50kEmptyClass", makeFsd50k, K::EmptyClass, [=](const fs::path& r) {
                     appendLine(r / "FSD50K.ground_truth/vocabulary.csv", "2,Moo,/m/x");
                     return Where{"FSD50K.ground_truth/vocabulary.csv", 0, 0};
                 }});
    c.push_back({"Fsd50kDuplicate", makeFsd50k, K::Duplicate, [=](const fs::path& r) {
                     return Where{dev, appendLine(r / dev, "11,Meow,/m/07qrkrw,train")};
                 }});
    c.push_back({"Fsd50kMalformedRow", makeFsd50k, K::MalformedRow, [=](const fs::path& r) {
                     return Where{dev, appendLine(r / dev, "13,Bark,/m/05tny_,holdout")};
                 }});
    c.push_back({"Fsd50kDotDotPath", makeFsd50k, K::PathEscapesRoot, [=](const fs::path& r) {
                     return Where{dev, appendLine(r / dev, "../../13,Bark,/m/05tny_,train")};
                 }});
    // AudioSet.
    const std::string seg = "balanced_train_segments.csv";
    c.push_back({"AudioSetMissingFile", makeAudioSet, K::MissingFile, [=](const fs::path& r) {
                     return Where{seg, appendLine(r / seg, "zzz, 0.000, 10.000, \"/m/05tny_\"")};
                 }});
    c.push_back({"AudioSetUnreadableFile", makeAudioSet, K::UnreadableFile, [=](const fs::path& r) {
                     writeGarbage(r / "balanced_train/zzz.wav");
                     return Where{seg, appendLine(r / seg, "zzz, 0.000, 10.000, \"/m/05tny_\"")};
                 }});
    c.push_back({"AudioSetUnknownLabel", makeAudioSet, K::UnknownLabel, [=](const fs::path& r) {
                     writeTone(r / "balanced_train/zzz.wav", 900);
                     return Where{seg, appendLine(r / seg, "zzz, 0.000, 10.000, \"/m/nope\"")};
                 }});
    c.push_back({"AudioSetEmptyClass", makeAudioSet, K::EmptyClass, [=](const fs::path& r) {
                     appendLine(r / "class_labels_indices.csv", "2,/m/0cow,Moo");
                     return Where{"class_labels_indices.csv", 0, 0};
                 }});
    c.push_back({"AudioSetDuplicate", makeAudioSet, K::Duplicate, [=](const fs::path& r) {
                     return Where{seg, appendLine(r / seg, "aaa, 40.000, 50.000, \"/m/01yrx\"")};
                 }});
    c.push_back({"AudioSetMalformedRow", makeAudioSet, K::MalformedRow, [=](const fs::path& r) {
                     return Where{seg, appendLine(r / seg, "zzz, soon, 10.000, \"/m/05tny_\"")};
                 }});
    c.push_back({"AudioSetDotDotPath", makeAudioSet, K::PathEscapesRoot, [=](const fs::path& r) {
                     return Where{seg, appendLine(r / seg, "../../zzz, 0.000, 10.000, \"/m/05tny_\"")};
                 }});
    // Speech Commands: the lists are the only metadata.
    c.push_back({"SpeechCommandsMissingFile", makeSpeechCommands, K::MissingFile, [](const fs::path& r) {
                     return Where{"testing_list.txt", appendLine(r / "testing_list.txt", "no/gone_nohash_0.wav")};
                 }});
    c.push_back({"SpeechCommandsUnreadableFile", makeSpeechCommands, K::UnreadableFile,
                 [](const fs::path& r) {
                     writeGarbage(r / "yes/bad_nohash_0.wav");
                     return Where{"yes/bad_nohash_0.wav", 0};
                 }});
    c.push_back({"SpeechCommandsEmptyClass", makeSpeechCommands, K::EmptyClass, [](const fs::path& r) {
                     fs::create_directories(r / "maybe");
                     return Where{".", 0, 0};
                 }});
    c.push_back({"SpeechCommandsDuplicate", makeSpeechCommands, K::Duplicate, [](const fs::path& r) {
                     return Where{"testing_list.txt", appendLine(r / "testing_list.txt", "yes/c3d4_nohash_0.wav")};
                 }});
    c.push_back({"SpeechCommandsDotDotPath", makeSpeechCommands, K::PathEscapesRoot, [](const fs::path& r) {
                     return Where{"validation_list.txt", appendLine(r / "validation_list.txt", "../yes/x.wav")};
                 }});
    return c;
}

class DataProblems : public ::testing::TestWithParam<ProblemCase> {};

}  // namespace

TEST_P(DataProblems, StrictThrowsWithFileAndLineSkipLeavesRowOut) {
    const ProblemCase& pc = GetParam();
    TempDir dir;
    const fs::path root = dir / "ds";
    pc.make(root);
    const std::size_t good = read(root).clips.size();
    const Where where = pc.spoil(root);
    const std::string expected = where.file + (where.line ? ":" + std::to_string(where.line) : "") +
                                 ": " + problemKindName(pc.kind);
    try {
        read(root);
        FAIL() << "strict read accepted a dataset with a " << problemKindName(pc.kind);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Dataset);
        EXPECT_NE(e.message().find(expected), std::string::npos)
            << "expected '" << expected << "' in:\n" << e.message();
    }
    const Dataset ds = read(root, /*skip=*/true);
    ASSERT_EQ(ds.problems.size(), 1u);
    EXPECT_EQ(ds.problems[0].kind, pc.kind) << ds.problems[0].describe();
    EXPECT_EQ(ds.problems[0].file, where.file) << ds.problems[0].describe();
    EXPECT_EQ(ds.problems[0].line, where.line) << ds.problems[0].describe();
    EXPECT_EQ(ds.skipped_rows, where.skipped);
    EXPECT_EQ(ds.clips.size(), good + where.added);
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, DataProblems, ::testing::ValuesIn(problemCases()),
                         [](const auto& info) { return info.param.name; });

TEST(DataProblemsReport, ListsEveryProblemAndCountsSkips) {
    TempDir dir;
    makeCsv(dir.path());
    appendLine(dir / "labels.csv", "audio/gone.wav,dog,train");
    appendLine(dir / "labels.csv", "/etc/passwd,dog,train");
    appendLine(dir / "labels.csv", "audio/dog1.wav,dog,train");
    try {
        read(dir.path());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(e.message().find("3 problems"), std::string::npos) << e.message();
        EXPECT_NE(e.message().find("labels.csv:6: missing file"), std::string::npos);
        EXPECT_NE(e.message().find("labels.csv:7: path escapes root"), std::string::npos);
        EXPECT_NE(e.message().find("labels.csv:8: duplicate"), std::string::npos);
        EXPECT_EQ(e.context(), dir.path().string());
    }
    const Dataset ds = read(dir.path(), true);
    EXPECT_EQ(ds.skipped_rows, 3u);
    EXPECT_EQ(ds.clips.size(), 4u);
    EXPECT_EQ(ds.problems[1].describe(),
              "labels.csv:7: path escapes root: '/etc/passwd' is outside the dataset folder");
}

TEST(DataProblemsReport, EmptyDatasetIsAnError) {
    TempDir dir;
    writeText(dir / "labels.csv", "filename,label\n");
    EXPECT_THROW(read(dir.path()), Error);
}

// ---- splits --------------------------------------------------------------------------------------

TEST(DataSplits, OwnSplitUsesSplitColumn) {
    TempDir dir;
    makeCsv(dir.path());
    const Dataset ds = read(dir.path());
    const DatasetSplit s = splitByDataset(ds);
    EXPECT_EQ(s.train.size(), 2u);
    EXPECT_EQ(s.validation.size(), 1u);
    EXPECT_EQ(s.test.size(), 1u);
    EXPECT_EQ(ds.clips[s.validation[0]].path, "audio/cat2.wav");
}

TEST(DataSplits, OwnSplitUsesFolds) {
    TempDir dir;
    makeEsc50(dir.path());
    const Dataset ds = read(dir.path());
    const DatasetSplit last = splitByDataset(ds);  // fold 5 is test
    ASSERT_EQ(last.test.size(), 1u);
    EXPECT_EQ(ds.clips[last.test[0]].fold, 5);
    EXPECT_EQ(last.train.size(), 3u);
    const DatasetSplit chosen = splitByDataset(ds, {.test_fold = 1, .validation_fold = 2});
    EXPECT_EQ(chosen.test.size(), 2u);
    EXPECT_EQ(chosen.validation.size(), 1u);
    EXPECT_EQ(chosen.train.size(), 1u);
    EXPECT_THROW(splitByDataset(ds, {.test_fold = 3}), Error);
    EXPECT_THROW(splitByDataset(ds, {.test_fold = 1, .validation_fold = 1}), Error);
}

TEST(DataSplits, OwnSplitNeedsSplitOrFold) {
    TempDir dir;
    makeFolder(dir.path());
    EXPECT_THROW(splitByDataset(read(dir.path())), Error);
}

namespace {

Dataset speakers(int nSpeakers, int clipsEach) {
    Dataset ds;
    ds.classes = {"a", "b"};
    for (int s = 0; s < nSpeakers; ++s)
        for (int k = 0; k < clipsEach; ++k) {
            Clip c;
            c.path = "s" + std::to_string(s) + "_" + std::to_string(k) + ".wav";
            c.labels = {k % 2};
            c.group = "spk" + std::to_string(s);
            ds.clips.push_back(c);
        }
    return ds;
}

std::set<std::string> groupsOf(const Dataset& ds, const std::vector<std::size_t>& idx) {
    std::set<std::string> g;
    for (auto i : idx)
        g.insert(ds.clips[i].group);
    return g;
}

}  // namespace

TEST(DataSplits, ByGroupIsDisjointCompleteAndSeeded) {
    const Dataset ds = speakers(10, 3);
    const DatasetSplit s = splitByGroup(ds, {.test_fraction = 0.2, .validation_fraction = 0.1, .seed = 7});
    EXPECT_EQ(groupsOf(ds, s.test).size(), 2u);
    EXPECT_EQ(groupsOf(ds, s.validation).size(), 1u);
    EXPECT_EQ(groupsOf(ds, s.train).size(), 7u);
    EXPECT_EQ(s.train.size() + s.validation.size() + s.test.size(), ds.clips.size());
    for (const auto& g : groupsOf(ds, s.test)) {
        EXPECT_FALSE(groupsOf(ds, s.train).count(g));
        EXPECT_FALSE(groupsOf(ds, s.validation).count(g));
    }
    const DatasetSplit again = splitByGroup(ds, {.test_fraction = 0.2, .validation_fraction = 0.1, .seed = 7});
    EXPECT_EQ(again.test, s.test);
    bool differs = false;
    for (std::uint64_t seed = 8; seed < 20 && !differs; ++seed)
        differs = splitByGroup(ds, {.test_fraction = 0.2, .seed = seed}).test != s.test;
    EXPECT_TRUE(differs) << "the seed does not change which groups are held out";
}

TEST(DataSplits, ByGroupNeedsGroups) {
    Dataset ds = speakers(3, 2);
    ds.clips[1].group.clear();
    EXPECT_THROW(splitByGroup(ds), Error);
    EXPECT_THROW(splitByGroup(speakers(1, 4)), Error);
    EXPECT_THROW(splitByGroup(speakers(4, 1), {.test_fraction = 0}), Error);
}

TEST(DataSplits, LeaveOneGroupOut) {
    const Dataset ds = speakers(4, 3);
    const auto splits = leaveOneGroupOut(ds);
    ASSERT_EQ(splits.size(), 4u);
    for (std::size_t i = 0; i < splits.size(); ++i) {
        EXPECT_EQ(splits[i].name, "held-out spk" + std::to_string(i));
        EXPECT_EQ(groupsOf(ds, splits[i].test), std::set<std::string>{"spk" + std::to_string(i)});
        EXPECT_EQ(splits[i].test.size(), 3u);
        EXPECT_EQ(splits[i].train.size(), 9u);
        EXPECT_FALSE(groupsOf(ds, splits[i].train).count("spk" + std::to_string(i)));
    }
}

namespace {

// Every clip in `train`, test split untouched.
DatasetSplit allTrain(const Dataset& ds, std::size_t testEvery = 0) {
    DatasetSplit s;
    s.name = "own";
    for (std::size_t i = 0; i < ds.clips.size(); ++i)
        (testEvery > 0 && i % testEvery == 0 ? s.test : s.train).push_back(i);
    return s;
}

std::map<int, std::size_t> perClass(const Dataset& ds, const std::vector<std::size_t>& idx) {
    std::map<int, std::size_t> n;
    for (auto i : idx)
        ++n[ds.clips[i].labels.front()];
    return n;
}

}  // namespace

TEST(DataSplits, CarvedValidationKeepsGroupsWholeClassesAndTest) {
    const Dataset ds = speakers(20, 6);  // 20 speakers, 3 clips of each class each
    DatasetSplit own = allTrain(ds);
    for (std::size_t i = 0; i < 12; ++i)  // two held-out test speakers
        own.test.push_back(own.train[i]);
    own.train.erase(own.train.begin(), own.train.begin() + 12);
    const DatasetSplit s = carveValidation(ds, own, {.fraction = 0.1, .seed = 3});
    EXPECT_EQ(s.test, own.test);  // test untouched
    EXPECT_EQ(s.train.size() + s.validation.size(), own.train.size());
    ASSERT_FALSE(s.validation.empty());
    for (const auto& g : groupsOf(ds, s.validation))
        EXPECT_FALSE(groupsOf(ds, s.train).count(g)) << g << " is on both sides";
    const auto val = perClass(ds, s.validation);
    EXPECT_EQ(val.size(), 2u);  // both classes
    // About 10% of each class (whole groups of 2-3 clips each cannot hit it exactly).
    for (const auto& [c, n] : perClass(ds, own.train))
        EXPECT_NEAR(static_cast<double>(val.at(c)), 0.1 * static_cast<double>(n), 3.0) << c;
    EXPECT_NE(s.validation_note.find("stratified"), std::string::npos) << s.validation_note;
    // Same seed, same split; another seed, another one.
    EXPECT_EQ(carveValidation(ds, own, {.fraction = 0.1, .seed = 3}).validation, s.validation);
    bool differs = false;
    for (std::uint64_t seed = 4; seed < 20 && !differs; ++seed)
        differs = carveValidation(ds, own, {.fraction = 0.1, .seed = seed}).validation != s.validation;
    EXPECT_TRUE(differs);
}

TEST(DataSplits, CarvedValidationDealsClipsWhenTestHearsTheTrainingGroups) {
    // FSDD's standard split: the test clips are other takes of the training speakers, so the
    // validation clips are too (a whole speaker held out would mirror nothing the test does).
    const Dataset ds = speakers(6, 20);
    const DatasetSplit own = allTrain(ds, 5);  // every fifth clip of every speaker is test
    const DatasetSplit s = carveValidation(ds, own, {.fraction = 0.1, .seed = 2});
    EXPECT_EQ(groupsOf(ds, s.train).size(), 6u);  // every speaker still trains
    EXPECT_GT(groupsOf(ds, s.validation).size(), 1u);
    EXPECT_EQ(s.validation.size(), 10u);  // 10% of each class's 48 training clips, rounded
    EXPECT_EQ(s.validation_note.find("groups kept whole"), std::string::npos) << s.validation_note;
}

TEST(DataSplits, CarvedValidationWithoutGroupsIsStratifiedByClip) {
    Dataset ds = speakers(1, 100);  // one group: clips are dealt one by one
    for (std::size_t i = 0; i < 20; ++i)  // 70 clips of class a, 30 of b
        ds.clips[2 * i + 1].labels = {0};
    const DatasetSplit s = carveValidation(ds, allTrain(ds), {.fraction = 0.2, .seed = 1});
    const auto val = perClass(ds, s.validation);
    EXPECT_EQ(val.at(0), 14u);  // 20% of 70
    EXPECT_EQ(val.at(1), 6u);   // 20% of 30
}

TEST(DataSplits, CarvedValidationLeavesAnOwnValidationSplitAlone) {
    const Dataset ds = speakers(4, 4);
    DatasetSplit own = allTrain(ds);
    own.validation = {own.train.back()};
    own.train.pop_back();
    const DatasetSplit s = carveValidation(ds, own, {.fraction = 0.1});
    EXPECT_EQ(s.validation, own.validation);
    EXPECT_EQ(s.train, own.train);
    EXPECT_EQ(carveValidation(ds, allTrain(ds), {.fraction = 0}).validation.size(), 0u);
    EXPECT_THROW(carveValidation(ds, allTrain(ds), {.fraction = 1.0}), Error);
}

TEST(DataSplits, CarvedValidationNamesAClassTooSmallToGiveClips) {
    Dataset ds = speakers(1, 20);
    ds.classes.push_back("rare");
    ds.clips[0].labels = {2};  // one clip of 'rare': it cannot give one and keep one
    const DatasetSplit s = carveValidation(ds, allTrain(ds), {.fraction = 0.1});
    EXPECT_TRUE(s.validation.empty());
    EXPECT_EQ(s.train.size(), ds.clips.size());
    EXPECT_NE(s.validation_note.find("'rare'"), std::string::npos) << s.validation_note;
    EXPECT_NE(s.validation_note.find("last epoch"), std::string::npos) << s.validation_note;
}

TEST(DataSplits, AppendTrainingClipsMatchesClassesByName) {
    Dataset into = speakers(2, 4);  // classes a, b
    into.root = "/data/real";
    Dataset extra;
    extra.root = "/data/synth/";
    extra.classes = {"b", "unused", "a"};
    for (int k = 0; k < 3; ++k) {
        Clip c;
        c.path = "v" + std::to_string(k) + ".wav";
        c.labels = {k % 2 == 0 ? 0 : 2};  // b, a, b
        c.split = kSplitTest;
        c.fold = 2;
        c.group = "voice" + std::to_string(k);
        extra.clips.push_back(c);
    }
    const std::vector<std::size_t> added = appendTrainingClips(into, extra);
    ASSERT_EQ(added, (std::vector<std::size_t>{8, 9, 10}));
    ASSERT_EQ(into.clips.size(), 11u);
    EXPECT_EQ(into.classes, (std::vector<std::string>{"a", "b"}));  // unchanged
    EXPECT_EQ(into.clips[8].labels, std::vector<int>{1});  // "b"
    EXPECT_EQ(into.clips[9].labels, std::vector<int>{0});  // "a"
    for (std::size_t i : added) {
        EXPECT_EQ(into.clips[i].split, kSplitTrain);
        EXPECT_EQ(into.clips[i].fold, 0);
        EXPECT_EQ(into.clipPath(i), extra.root / ("v" + std::to_string(i - 8) + ".wav"));
        EXPECT_EQ(into.clips[i].group, "synth/voice" + std::to_string(i - 8));
    }
    // A class `into` lacks, on a clip, is an error that names it and leaves `into` as it was.
    extra.clips[1].labels = {1};
    const Dataset before = into;
    try {
        appendTrainingClips(into, extra);
        FAIL() << "an unknown class was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'unused'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(into.clips.size(), before.clips.size());
}

// ---- the real FSDD in ../shared/data (skipped when absent) ---------------------------------------

TEST(DatasetFsdd, ReadsAllRecordingsWithSpeakersAndSplit) {
    PATCHOUT_REQUIRE_FSDD();
    const Dataset ds = readDataset(test::fsddDir());
    EXPECT_EQ(ds.format, DatasetFormat::Fsdd);
    EXPECT_EQ(ds.clips.size(), 3000u);
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    EXPECT_EQ(ds.groups().size(), 6u);
    for (auto n : ds.classCounts())
        EXPECT_EQ(n, 300u);
    const DatasetSplit s = splitByDataset(ds);
    EXPECT_EQ(s.test.size(), 300u);  // takes 0-4 of every speaker and digit
    EXPECT_EQ(s.train.size(), 2700u);
    for (auto i : s.test)
        EXPECT_EQ(ds.clips[i].split, kSplitTest);
    double total = 0;
    for (const auto& c : ds.clips)
        total += c.duration_s;
    EXPECT_GT(total, 1000.0);
}

TEST(DatasetFsdd, LeaveOneSpeakerOutCoversEveryRecordingOnce) {
    PATCHOUT_REQUIRE_FSDD();
    const Dataset ds = readDataset(test::fsddDir(), {.check_audio = false});
    const auto splits = leaveOneGroupOut(ds);
    ASSERT_EQ(splits.size(), 6u);
    std::size_t tested = 0;
    for (const auto& s : splits) {
        EXPECT_EQ(s.test.size(), 500u) << s.name;
        tested += s.test.size();
    }
    EXPECT_EQ(tested, 3000u);
}

TEST(DatasetFolder, GroupsRuleFromGroupsTxtOrTheOption) {
    TempDir dir;
    for (const char* name : {"yes/george_0.wav", "yes/george_1.wav", "yes/theo_0.wav", "no/george_2.wav",
                             "no/lucas_0.wav", "no/unnamed.wav"})
        test::writeTone(dir / "words" / name, 440, 0.1, 16000);
    EXPECT_TRUE(readDataset(dir / "words").groups().empty());  // no rule: no groups
    test::writeText(dir / "words" / kGroupsRuleFile, "# speaker before the take number\n^([a-z]+)_[0-9]+\n");
    const Dataset ds = readDataset(dir / "words");
    EXPECT_EQ(ds.groups(), (std::vector<std::string>{"george", "lucas", "theo"}));
    for (const Clip& c : ds.clips) {
        if (c.path == "no/unnamed.wav") {
            EXPECT_TRUE(c.group.empty());  // no match: no group
        }
    }
    // The option wins over the file.
    const Dataset first = readDataset(dir / "words", {.group_pattern = "^([a-z])"});
    EXPECT_EQ(first.groups(), (std::vector<std::string>{"g", "l", "t", "u"}));
    // A rule without a capture group, or not a regular expression, is a problem naming the file.
    test::writeText(dir / "words" / kGroupsRuleFile, "^[a-z]+_\n");
    try {
        readDataset(dir / "words");
        ADD_FAILURE() << "a rule without a capture group was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("groups.txt:1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("capture group"), std::string::npos) << e.what();
    }
    EXPECT_THROW(readDataset(dir / "words", {.group_pattern = "(unclosed"}), Error);
}

// A groups rule that makes a backtracking matcher take exponential time (54 s for this one name
// with libstdc++'s default) is matched in linear time; a back-reference is refused (#20).
TEST(DatasetFolder, AHostileGroupsRuleCannotHangTheReader) {
    TempDir dir;
    test::writeTone(dir / "words" / "yes" / (std::string(40, 'a') + ".wav"), 440, 0.1, 16000);
    test::writeTone(dir / "words" / "no" / "b_0.wav", 440, 0.1, 16000);
    const Dataset ds = readDataset(dir / "words", {.check_audio = false, .group_pattern = "^((a|a)*)x"});
    EXPECT_EQ(ds.clips.size(), 2u);
    EXPECT_TRUE(ds.groups().empty());  // nothing matched, quickly
    EXPECT_THROW(readDataset(dir / "words", {.group_pattern = "^(a)\\1"}), Error);
}
