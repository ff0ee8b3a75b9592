// Dataset readers. Each format reader turns its metadata into rows (path, label keys, split, fold,
// group, where it came from) and reports rows it cannot parse; one common pass then checks every
// row the same way (path inside the root, duplicates, file present and readable, labels known) and
// either throws the whole report or leaves the bad rows out, as the user asked.
#include "patchout/dataset.h"

#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/text.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace fs = std::filesystem;

namespace patchout {

// ---- names ---------------------------------------------------------------------------------------

namespace {

struct FormatName {
    DatasetFormat format;
    const char* name;
};
constexpr FormatName kFormatNames[] = {
    {DatasetFormat::Auto, "auto"},          {DatasetFormat::Folder, "folder"},
    {DatasetFormat::Csv, "csv"},            {DatasetFormat::Esc50, "esc50"},
    {DatasetFormat::Fsd50k, "fsd50k"},      {DatasetFormat::AudioSet, "audioset"},
    {DatasetFormat::SpeechCommands, "speech-commands"}, {DatasetFormat::Fsdd, "fsdd"},
};

}  // namespace

const char* datasetFormatName(DatasetFormat format) {
    for (const auto& f : kFormatNames)
        if (f.format == format)
            return f.name;
    return "unknown";
}

std::vector<std::string> datasetFormatNames() {
    std::vector<std::string> names;
    for (const auto& f : kFormatNames)
        names.emplace_back(f.name);
    return names;
}

DatasetFormat parseDatasetFormat(const std::string& name) {
    const std::string n = toLower(trim(name));
    for (const auto& f : kFormatNames)
        if (n == f.name)
            return f.format;
    std::string all;
    for (const auto& f : kFormatNames)
        all += std::string(all.empty() ? "" : ", ") + f.name;
    throw Error(ErrorCode::InvalidArgument, "unknown dataset format '" + name + "' (known: " + all + ")");
}

const char* problemKindName(ProblemKind kind) {
    switch (kind) {
    case ProblemKind::MissingFile: return "missing file";
    case ProblemKind::UnreadableFile: return "unreadable file";
    case ProblemKind::UnknownLabel: return "unknown label";
    case ProblemKind::EmptyClass: return "empty class";
    case ProblemKind::Duplicate: return "duplicate";
    case ProblemKind::MalformedRow: return "malformed row";
    case ProblemKind::PathEscapesRoot: return "path escapes root";
    }
    return "problem";
}

std::string DatasetProblem::describe() const {
    std::string s = file;
    if (line > 0)
        s += ":" + std::to_string(line);
    return s + ": " + problemKindName(kind) + ": " + message;
}

bool isAudioExtension(const fs::path& path) {
    static const std::set<std::string> kExt = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3",
                                               ".aif", ".aiff", ".au", ".caf", ".w64"};
    return kExt.count(toLower(path.extension().string())) > 0;
}

// ---- Dataset methods -----------------------------------------------------------------------------

std::vector<std::size_t> Dataset::classCounts() const {
    std::vector<std::size_t> counts(classes.size(), 0);
    for (const auto& c : clips)
        for (int l : c.labels)
            ++counts.at(static_cast<std::size_t>(l));
    return counts;
}

std::vector<std::size_t> Dataset::classCounts(const std::vector<std::size_t>& indices) const {
    std::vector<std::size_t> counts(classes.size(), 0);
    for (std::size_t i : indices)
        for (int l : clips.at(i).labels)
            ++counts.at(static_cast<std::size_t>(l));
    return counts;
}

std::vector<std::string> Dataset::groups() const {
    std::set<std::string> g;
    for (const auto& c : clips)
        if (!c.group.empty())
            g.insert(c.group);
    return {g.begin(), g.end()};
}

int Dataset::classIndex(const std::string& name) const {
    auto it = std::find(classes.begin(), classes.end(), name);
    return it == classes.end() ? -1 : static_cast<int>(it - classes.begin());
}

// ---- reading -------------------------------------------------------------------------------------

namespace {

struct Row {
    std::string path;                     // as written, relative to the root
    std::vector<std::string> label_keys;  // looked up in Raw::key_to_class or become class names
    std::string split;
    int fold = 0;
    std::string group;
    std::string file;  // metadata file relative to the root (or the audio file for folder scans)
    int line = 0;
};

struct Raw {
    DatasetFormat format = DatasetFormat::Folder;
    std::vector<std::string> classes;  // declared classes (fixed vocabulary or folders)
    // With a fixed vocabulary, label keys are looked up here (AudioSet mids, ESC-50 targets,
    // FSD50K names); keys not in it are unknown labels. Without, keys are class names and the
    // class list is the declared classes plus every name seen.
    bool fixed_vocabulary = false;
    std::map<std::string, int> key_to_class;
    std::string class_source;  // where the classes come from, for empty-class reports
    bool multi_label = false;
    std::vector<Row> rows;
    std::vector<DatasetProblem> problems;  // rows that could not be parsed (already left out)
    std::size_t skipped = 0;
};

// Dataset metadata: blanks around fields trimmed (AudioSet writes ", "), and one row per line, so a
// stray quote spoils only its own row (CsvRow::unclosed_quote) and is reported as such.
std::vector<CsvRow> readMetadata(const fs::path& csv, bool skip_comments = false) {
    return readCsv(csv, {.trim = true, .skip_comments = skip_comments, .one_row_per_line = true});
}

void malformed(Raw& raw, const std::string& file, int line, const std::string& message) {
    raw.problems.push_back({ProblemKind::MalformedRow, file, line, message});
    ++raw.skipped;
}

std::string relativeName(const fs::path& root, const fs::path& p) {
    return p.lexically_relative(root).generic_string();
}

bool parseInt(const std::string& s, int& out) {
    const std::string t = trim(s);
    if (t.empty())
        return false;
    const char* end = t.data() + t.size();
    auto [ptr, ec] = std::from_chars(t.data(), end, out);
    return ec == std::errc() && ptr == end;
}

// "val", "valid", "dev" -> validation; "eval", "testing" -> test; "" stays "".
std::optional<std::string> canonicalSplit(const std::string& s) {
    const std::string n = toLower(trim(s));
    if (n.empty())
        return std::string();
    if (n == "train" || n == "training")
        return std::string(kSplitTrain);
    if (n == "validation" || n == "val" || n == "valid" || n == "dev")
        return std::string(kSplitValidation);
    if (n == "test" || n == "testing" || n == "eval" || n == "evaluation")
        return std::string(kSplitTest);
    return std::nullopt;
}

// Orders class names numerically when they are all integers ("2" before "10"), else by text.
void sortClassNames(std::vector<std::string>& names) {
    const bool numeric = std::all_of(names.begin(), names.end(), [](const std::string& s) {
        int v;
        return parseInt(s, v);
    });
    std::sort(names.begin(), names.end(), [numeric](const std::string& a, const std::string& b) {
        if (numeric) {
            int x = 0, y = 0;
            parseInt(a, x);
            parseInt(b, y);
            return x < y;
        }
        return a < b;
    });
}

std::vector<fs::path> audioFilesUnder(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it->path().filename().string().rfind('.', 0) == 0) {  // hidden (and our temp files)
            if (it->is_directory())
                it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && isAudioExtension(it->path()))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<fs::path> subfolders(const fs::path& dir) {
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory() && e.path().filename().string().rfind('.', 0) != 0)
            dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

// The groups rule of a Folder dataset (DatasetReadOptions::group_pattern, else groups.txt): the
// first capture group of `rule` in each file name becomes the clip's group.
void applyGroupsRule(Raw& raw, const fs::path& root, std::string rule) {
    std::string source = "group_pattern";
    int line = 0;
    if (rule.empty()) {
        std::ifstream in(root / kGroupsRuleFile);
        std::string text;
        for (int n = 1; in && std::getline(in, text); ++n) {
            text = trim(text);
            if (!text.empty() && text.front() != '#') {
                rule = text;
                source = kGroupsRuleFile;
                line = n;
                break;
            }
        }
    }
    if (rule.empty())
        return;
    std::regex pattern;
    // The rule may come with a downloaded dataset: libstdc++'s backtracking matcher takes
    // exponential time on rules such as ^((a|a)*)x (54 s for one 28-letter name). Its polynomial
    // mode matches in linear time and refuses back-references, which a groups rule never needs.
    auto flags = std::regex::ECMAScript;
#ifdef __GLIBCXX__
    flags |= std::regex_constants::__polynomial;
#endif
    try {
        pattern = std::regex(rule, flags);
    } catch (const std::regex_error& e) {
        malformed(raw, source, line, "the groups rule '" + rule + "' is not a regular expression: " + e.what());
        return;
    }
    if (pattern.mark_count() < 1) {
        malformed(raw, source, line, "the groups rule '" + rule + "' has no capture group (the group's part in parentheses)");
        return;
    }
    for (Row& r : raw.rows) {
        std::smatch m;
        const std::string name = fs::path(r.path).filename().string();
        if (std::regex_search(name, m, pattern) && m[1].matched)
            r.group = m[1].str();
    }
}

// Folder-per-class, optionally under split folders: <split>/<class>/<file>.
Raw readFolder(const fs::path& root) {
    Raw raw;
    raw.format = DatasetFormat::Folder;
    raw.class_source = ".";
    const auto top = subfolders(root);
    const bool splitLayout =
        !top.empty() && std::all_of(top.begin(), top.end(), [](const fs::path& d) {
            auto s = canonicalSplit(d.filename().string());
            return s && !s->empty();
        });
    std::set<std::string> classes;
    auto addClassFolder = [&](const fs::path& dir, const std::string& split) {
        const std::string name = dir.filename().string();
        classes.insert(name);
        for (const auto& f : audioFilesUnder(dir)) {
            Row r;
            r.path = relativeName(root, f);
            r.label_keys = {name};
            r.split = split;
            r.file = r.path;
            raw.rows.push_back(std::move(r));
        }
    };
    if (splitLayout) {
        for (const auto& s : top)
            for (const auto& c : subfolders(s))
                addClassFolder(c, *canonicalSplit(s.filename().string()));
    } else {
        for (const auto& c : top)
            addClassFolder(c, "");
    }
    // Audio lying next to the class folders has no label: say so rather than ignore it silently.
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_regular_file() && isAudioExtension(e.path()))
            malformed(raw, relativeName(root, e.path()), 0,
                      "audio file outside any class folder has no label");
    raw.classes.assign(classes.begin(), classes.end());
    return raw;
}

fs::path findCsv(const fs::path& root, const std::string& requested) {
    if (!requested.empty())
        return root / requested;
    if (fs::exists(root / "labels.csv"))
        return root / "labels.csv";
    std::vector<fs::path> csvs;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_regular_file() && toLower(e.path().extension().string()) == ".csv")
            csvs.push_back(e.path());
    if (csvs.size() == 1)
        return csvs.front();
    throw Error(ErrorCode::Dataset,
                csvs.empty() ? "no labels.csv (or other .csv) in the dataset folder"
                             : "several .csv files and no labels.csv: name the one to read",
                root.string());
}

// Generic CSV: header row optional. With a header, columns are found by name (filename|file|path|
// fname, label|labels|class|category, split, fold, speaker|group); without, they are
// filename,label[,split|fold]. Labels are joined with ';' for multi-label clips.
Raw readGenericCsv(const fs::path& root, const std::string& csvFile, DatasetFormat format) {
    Raw raw;
    raw.format = format;
    const fs::path csv = findCsv(root, csvFile);
    const std::string file = relativeName(root, csv);
    const std::vector<CsvRow> table = readMetadata(csv);
    if (table.empty())
        throw Error(ErrorCode::Dataset, "the metadata file is empty", csv.string());

    int colPath = 0, colLabel = 1, colSplit = -1, colFold = -1, colGroup = -1;
    std::size_t expected = 0;  // 0: 2 or 3 columns (no header)
    std::size_t first = 0;
    const auto& head = table.front().fields;
    const std::set<std::string> pathNames = {"filename", "file", "path", "fname", "file_name"};
    if (!head.empty() && pathNames.count(toLower(head[0]))) {
        first = 1;
        expected = head.size();
        colLabel = -1;
        for (std::size_t i = 0; i < head.size(); ++i) {
            const std::string h = toLower(head[i]);
            const int c = static_cast<int>(i);
            if (i == 0)
                colPath = c;
            else if (h == "label" || h == "labels" || h == "class" || h == "category")
                colLabel = colLabel < 0 ? c : colLabel;
            else if (h == "split")
                colSplit = c;
            else if (h == "fold")
                colFold = c;
            else if (h == "speaker" || h == "group" || h == "speaker_id")
                colGroup = colGroup < 0 ? c : colGroup;
        }
        if (colLabel < 0)
            throw Error(ErrorCode::Dataset, "the header has no label column (label, labels, class)",
                        csv.string() + ":" + std::to_string(table.front().line));
        if (format == DatasetFormat::Fsdd && (colGroup < 0 || colSplit < 0))
            throw Error(ErrorCode::Dataset, "an FSDD labels.csv has speaker and split columns",
                        csv.string() + ":" + std::to_string(table.front().line));
    }
    // An optional classes.txt fixes the vocabulary and its order.
    if (fs::exists(root / "classes.txt")) {
        raw.fixed_vocabulary = true;
        raw.class_source = "classes.txt";
        for (const auto& l : readLines(root / "classes.txt")) {
            raw.key_to_class.emplace(l.text, static_cast<int>(raw.classes.size()));
            raw.classes.push_back(l.text);
        }
    } else {
        raw.class_source = file;
    }
    for (std::size_t i = first; i < table.size(); ++i) {
        const auto& row = table[i];
        const auto& f = row.fields;
        if (row.unclosed_quote) {
            malformed(raw, file, row.line, "a quote is not closed");
            continue;
        }
        if (expected ? f.size() != expected : (f.size() < 2 || f.size() > 3)) {
            malformed(raw, file, row.line,
                      "expected " + (expected ? std::to_string(expected) : std::string("2 or 3")) +
                          " columns, found " + std::to_string(f.size()));
            continue;
        }
        Row r;
        r.file = file;
        r.line = row.line;
        r.path = f[static_cast<std::size_t>(colPath)];
        r.label_keys = splitOn(f[static_cast<std::size_t>(colLabel)], ';');
        if (r.path.empty()) {
            malformed(raw, file, row.line, "empty file name");
            continue;
        }
        if (r.label_keys.empty()) {
            malformed(raw, file, row.line, "no label for " + r.path);
            continue;
        }
        if (!expected && f.size() == 3) {
            int fold = 0;
            if (parseInt(f[2], fold))
                colFold = 2, colSplit = -1;
            else
                colSplit = 2, colFold = -1;
        } else if (!expected) {
            colSplit = colFold = -1;
        }
        if (colSplit >= 0) {
            auto s = canonicalSplit(f[static_cast<std::size_t>(colSplit)]);
            if (!s) {
                malformed(raw, file, row.line,
                          "unknown split '" + f[static_cast<std::size_t>(colSplit)] +
                              "' (train, validation or test)");
                continue;
            }
            r.split = *s;
        }
        if (colFold >= 0) {
            if (!parseInt(f[static_cast<std::size_t>(colFold)], r.fold) || r.fold < 1) {
                malformed(raw, file, row.line,
                          "fold '" + f[static_cast<std::size_t>(colFold)] + "' is not a number >= 1");
                continue;
            }
        }
        if (colGroup >= 0)
            r.group = f[static_cast<std::size_t>(colGroup)];
        raw.multi_label = raw.multi_label || r.label_keys.size() > 1;
        raw.rows.push_back(std::move(r));
    }
    return raw;
}

// Finds the header's columns by name; a missing one makes the whole file unreadable.
std::vector<int> headerColumns(const std::vector<CsvRow>& table, const fs::path& csv,
                               const std::vector<std::string>& names) {
    if (table.empty())
        throw Error(ErrorCode::Dataset, "the metadata file is empty", csv.string());
    const auto& head = table.front().fields;
    std::vector<int> cols;
    for (const auto& n : names) {
        const int c = csvColumn(head, n);
        if (c < 0)
            throw Error(ErrorCode::Dataset, "the header has no '" + n + "' column",
                        csv.string() + ":" + std::to_string(table.front().line));
        cols.push_back(c);
    }
    return cols;
}

// ESC-50: meta/esc50.csv (filename,fold,target,category,esc10,src_file,take), audio in audio/.
// Class index = target, name = category; src_file groups the clips cut from one recording.
Raw readEsc50(const fs::path& root) {
    Raw raw;
    raw.format = DatasetFormat::Esc50;
    raw.fixed_vocabulary = true;
    const fs::path csv = root / "meta" / "esc50.csv";
    const std::string file = "meta/esc50.csv";
    raw.class_source = file;
    const auto table = readMetadata(csv);
    const auto cols = headerColumns(table, csv, {"filename", "fold", "target", "category", "src_file"});
    const std::size_t width = table.front().fields.size();
    std::map<int, std::pair<std::string, int>> names;  // target -> (category, first line)
    for (std::size_t i = 1; i < table.size(); ++i) {
        const auto& row = table[i];
        const auto& f = row.fields;
        if (f.size() != width) {
            malformed(raw, file, row.line, "expected " + std::to_string(width) + " columns, found " +
                                               std::to_string(f.size()));
            continue;
        }
        Row r;
        r.file = file;
        r.line = row.line;
        r.path = f[cols[0]].empty() ? std::string() : "audio/" + f[cols[0]];
        int target = 0;
        if (r.path.empty()) {
            malformed(raw, file, row.line, "empty file name");
            continue;
        }
        if (!parseInt(f[cols[1]], r.fold) || r.fold < 1) {
            malformed(raw, file, row.line, "fold '" + f[cols[1]] + "' is not a number >= 1");
            continue;
        }
        if (!parseInt(f[cols[2]], target) || target < 0) {
            malformed(raw, file, row.line, "target '" + f[cols[2]] + "' is not a class index");
            continue;
        }
        const std::string& category = f[cols[3]];
        auto [it, fresh] = names.emplace(target, std::make_pair(category, row.line));
        if (!fresh && it->second.first != category) {
            raw.problems.push_back({ProblemKind::UnknownLabel, file, row.line,
                                    "target " + std::to_string(target) + " is '" + category +
                                        "' here but '" + it->second.first + "' on line " +
                                        std::to_string(it->second.second)});
            ++raw.skipped;
            continue;
        }
        r.label_keys = {std::to_string(target)};
        r.group = f[cols[4]];
        raw.rows.push_back(std::move(r));
    }
    const int n = names.empty() ? 0 : names.rbegin()->first + 1;
    for (int t = 0; t < n; ++t) {
        auto it = names.find(t);
        raw.classes.push_back(it != names.end() ? it->second.first : "class " + std::to_string(t));
        raw.key_to_class.emplace(std::to_string(t), t);
    }
    return raw;
}

// FSD50K: FSD50K.ground_truth/vocabulary.csv (index,name,mid; no header), dev.csv
// (fname,labels,mids,split), eval.csv (fname,labels,mids); audio in FSD50K.{dev,eval}_audio/.
Raw readFsd50k(const fs::path& root) {
    Raw raw;
    raw.format = DatasetFormat::Fsd50k;
    raw.fixed_vocabulary = true;
    raw.multi_label = true;
    const fs::path gt = root / "FSD50K.ground_truth";
    const std::string vocabFile = "FSD50K.ground_truth/vocabulary.csv";
    raw.class_source = vocabFile;
    const auto vocab = readMetadata(gt / "vocabulary.csv");
    for (const auto& row : vocab) {
        int index = 0;
        if (row.fields.size() < 2 || !parseInt(row.fields[0], index) || row.fields[1].empty()) {
            malformed(raw, vocabFile, row.line, "expected index,name,mid");
            continue;
        }
        if (raw.key_to_class.count(row.fields[1])) {
            raw.problems.push_back({ProblemKind::Duplicate, vocabFile, row.line,
                                    "class '" + row.fields[1] + "' listed twice"});
            continue;
        }
        raw.key_to_class.emplace(row.fields[1], static_cast<int>(raw.classes.size()));
        raw.classes.push_back(row.fields[1]);
    }
    if (raw.classes.empty())
        throw Error(ErrorCode::Dataset, "the vocabulary is empty", (gt / "vocabulary.csv").string());

    auto readPart = [&](const std::string& name, const std::string& audioDir, bool hasSplit) {
        const fs::path csv = gt / name;
        if (!fs::exists(csv))
            return;
        const std::string file = "FSD50K.ground_truth/" + name;
        const auto table = readMetadata(csv);
        std::vector<std::string> wanted = {"fname", "labels"};
        if (hasSplit)
            wanted.push_back("split");
        const auto cols = headerColumns(table, csv, wanted);
        const std::size_t width = table.front().fields.size();
        for (std::size_t i = 1; i < table.size(); ++i) {
            const auto& row = table[i];
            const auto& f = row.fields;
            if (row.unclosed_quote) {
                malformed(raw, file, row.line, "a quote is not closed");
                continue;
            }
            if (f.size() != width) {
                malformed(raw, file, row.line, "expected " + std::to_string(width) +
                                                   " columns, found " + std::to_string(f.size()));
                continue;
            }
            Row r;
            r.file = file;
            r.line = row.line;
            if (f[cols[0]].empty()) {
                malformed(raw, file, row.line, "empty fname");
                continue;
            }
            r.path = audioDir + "/" + f[cols[0]] + ".wav";
            r.label_keys = splitOn(f[cols[1]], ',');
            if (r.label_keys.empty()) {
                malformed(raw, file, row.line, "no labels");
                continue;
            }
            if (hasSplit) {
                auto s = canonicalSplit(f[cols[2]]);
                if (!s || s->empty()) {
                    malformed(raw, file, row.line, "unknown split '" + f[cols[2]] + "' (train or val)");
                    continue;
                }
                r.split = *s;
            } else {
                r.split = kSplitTest;
            }
            raw.rows.push_back(std::move(r));
        }
    };
    readPart("dev.csv", "FSD50K.dev_audio", true);
    readPart("eval.csv", "FSD50K.eval_audio", false);
    if (!fs::exists(gt / "dev.csv") && !fs::exists(gt / "eval.csv"))
        throw Error(ErrorCode::Dataset, "neither dev.csv nor eval.csv is there", gt.string());
    return raw;
}

// AudioSet: class_labels_indices.csv (index,mid,display_name) and segment CSVs
// (# comments; YTID, start_seconds, end_seconds, "mid,mid"). The audio of X_segments.csv is looked
// up as X/<YTID>.wav (or .flac, or with a leading 'Y', or under audio/X/).
Raw readAudioSet(const fs::path& root, const std::vector<std::string>& csvs) {
    Raw raw;
    raw.format = DatasetFormat::AudioSet;
    raw.fixed_vocabulary = true;
    raw.multi_label = true;
    const fs::path indices = root / "class_labels_indices.csv";
    raw.class_source = "class_labels_indices.csv";
    const auto table = readMetadata(indices);
    const auto cols = headerColumns(table, indices, {"index", "mid", "display_name"});
    // As wide as the header, which may have more columns than the three (found by fuzz_dataset:
    // a header with a repeated column read past the end of a three-field row).
    const std::size_t width = table.front().fields.size();
    for (std::size_t i = 1; i < table.size(); ++i) {
        const auto& f = table[i].fields;
        int index = 0;
        if (f.size() != width || !parseInt(f[cols[0]], index) || f[cols[1]].empty()) {
            malformed(raw, raw.class_source, table[i].line, "expected index,mid,display_name");
            continue;
        }
        raw.key_to_class.emplace(f[cols[1]], static_cast<int>(raw.classes.size()));
        raw.classes.push_back(f[cols[2]].empty() ? f[cols[1]] : f[cols[2]]);
    }
    std::vector<fs::path> files;
    for (const auto& c : csvs)
        files.push_back(root / c);
    if (files.empty()) {
        for (const auto& e : fs::directory_iterator(root)) {
            const std::string n = e.path().filename().string();
            if (e.is_regular_file() && n.size() > 13 && n.substr(n.size() - 13) == "_segments.csv")
                files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
    }
    if (files.empty())
        throw Error(ErrorCode::Dataset, "no *_segments.csv next to class_labels_indices.csv",
                    root.string());
    for (const auto& csv : files) {
        const std::string file = relativeName(root, csv);
        std::string stem = csv.stem().string();
        if (stem.size() > 9 && stem.substr(stem.size() - 9) == "_segments")
            stem.resize(stem.size() - 9);
        const std::string split = stem.find("eval") != std::string::npos ? kSplitTest : kSplitTrain;
        const auto seg = readMetadata(csv, /*skip_comments=*/true);
        for (const auto& row : seg) {
            const auto& f = row.fields;
            double start = 0;
            if (row.unclosed_quote) {
                malformed(raw, file, row.line, "a quote is not closed");
                continue;
            }
            if (f.size() != 4 || f[0].empty()) {
                malformed(raw, file, row.line, "expected YTID, start_seconds, end_seconds, labels; found " +
                                                   std::to_string(f.size()) + " columns");
                continue;
            }
            try {
                std::size_t used = 0;
                start = std::stod(f[1], &used);
                if (used != f[1].size())
                    throw std::invalid_argument("trailing");
            } catch (const std::exception&) {
                malformed(raw, file, row.line, "start_seconds '" + f[1] + "' is not a number");
                continue;
            }
            (void)start;
            Row r;
            r.file = file;
            r.line = row.line;
            r.split = split;
            r.group = f[0];  // one YouTube video: its segments belong together
            r.label_keys = splitOn(f[3], ',');
            if (r.label_keys.empty()) {
                malformed(raw, file, row.line, "no labels");
                continue;
            }
            const std::vector<std::string> dirs = {stem, "audio/" + stem};
            const std::vector<std::string> names = {f[0] + ".wav", f[0] + ".flac", "Y" + f[0] + ".wav",
                                                    "Y" + f[0] + ".flac"};
            r.path = dirs[0] + "/" + names[0];  // reported as missing when none exists
            bool found = false;
            for (const auto& d : dirs)
                for (const auto& n : names)
                    if (!found && fs::exists(root / d / n)) {
                        r.path = d + "/" + n;
                        found = true;
                    }
            raw.rows.push_back(std::move(r));
        }
    }
    return raw;
}

// Speech Commands: <word>/<speaker>_nohash_<n>.wav; validation_list.txt and testing_list.txt name
// the clips of those splits, every other clip is train. _background_noise_ is not a class.
Raw readSpeechCommands(const fs::path& root) {
    Raw raw;
    raw.format = DatasetFormat::SpeechCommands;
    raw.class_source = ".";
    std::map<std::string, std::size_t> byPath;
    for (const auto& dir : subfolders(root)) {
        const std::string word = dir.filename().string();
        if (word.rfind('_', 0) == 0)
            continue;
        raw.classes.push_back(word);
        for (const auto& f : audioFilesUnder(dir)) {
            Row r;
            r.path = relativeName(root, f);
            r.label_keys = {word};
            r.file = r.path;
            const std::string name = f.filename().string();
            const auto cut = name.find("_nohash_");
            r.group = cut != std::string::npos ? name.substr(0, cut) : std::string();
            byPath.emplace(r.path, raw.rows.size());
            raw.rows.push_back(std::move(r));
        }
    }
    for (const auto& [listName, split] : {std::pair{"validation_list.txt", kSplitValidation},
                                          std::pair{"testing_list.txt", kSplitTest}}) {
        if (!fs::exists(root / listName))
            continue;
        for (const auto& l : readLines(root / listName)) {
            const fs::path p(l.text);
            const std::string normal = p.lexically_normal().generic_string();
            if (p.is_absolute() || normal.rfind("..", 0) == 0) {
                raw.problems.push_back({ProblemKind::PathEscapesRoot, listName, l.line,
                                        "'" + l.text + "' is outside the dataset folder"});
                ++raw.skipped;
                continue;
            }
            auto it = byPath.find(normal);
            if (it == byPath.end()) {
                raw.problems.push_back({ProblemKind::MissingFile, listName, l.line,
                                        normal + " is not an audio file in a word folder"});
                ++raw.skipped;
                continue;
            }
            Row& r = raw.rows[it->second];
            if (!r.split.empty()) {
                raw.problems.push_back({ProblemKind::Duplicate, listName, l.line,
                                        normal + " is already listed as " + r.split + " (" + r.file +
                                            (r.line ? ":" + std::to_string(r.line) : "") + ")"});
                ++raw.skipped;
                continue;
            }
            r.split = split;
            r.file = listName;
            r.line = l.line;
        }
    }
    for (auto& r : raw.rows)
        if (r.split.empty())
            r.split = kSplitTrain;
    return raw;
}

// The checks every format shares; returns the dataset with good rows only.
Dataset assemble(const fs::path& root, Raw raw, const DatasetReadOptions& options) {
    Dataset ds;
    ds.root = root;
    ds.format = raw.format;
    ds.problems = std::move(raw.problems);
    ds.skipped_rows = raw.skipped;
    ds.multi_label = raw.multi_label;

    std::vector<std::string> classes = raw.classes;
    std::map<std::string, int> keyToClass = raw.key_to_class;
    if (!raw.fixed_vocabulary) {
        std::set<std::string> all(classes.begin(), classes.end());
        for (const auto& r : raw.rows)
            all.insert(r.label_keys.begin(), r.label_keys.end());
        classes.assign(all.begin(), all.end());
        sortClassNames(classes);
        keyToClass.clear();
        for (std::size_t i = 0; i < classes.size(); ++i)
            keyToClass.emplace(classes[i], static_cast<int>(i));
    }
    ds.classes = classes;

    std::unordered_map<std::string, std::string> seen;  // normalised path -> where first listed
    std::int64_t checked = 0;
    const auto rows = static_cast<std::int64_t>(raw.rows.size());
    for (auto& r : raw.rows) {
        if (options.job && checked++ % 256 == 0) {
            options.job->throwIfCancelled();
            options.job->report({.step = checked - 1, .total = rows, .message = "checking clips"});
        }
        auto where = [&] { return r.line ? r.file + ":" + std::to_string(r.line) : r.file; };
        auto report = [&](ProblemKind kind, const std::string& message) {
            ds.problems.push_back({kind, r.file, r.line, message});
            ++ds.skipped_rows;
        };
        const fs::path p(r.path);
        const std::string normal = p.lexically_normal().generic_string();
        if (p.is_absolute() || p.has_root_name() || normal == ".." || normal.rfind("../", 0) == 0) {
            report(ProblemKind::PathEscapesRoot, "'" + r.path + "' is outside the dataset folder");
            continue;
        }
        auto [it, fresh] = seen.emplace(normal, where());
        if (!fresh) {
            report(ProblemKind::Duplicate, normal + " is already listed at " + it->second);
            continue;
        }
        std::vector<int> labels;
        std::string unknown;
        for (const auto& k : r.label_keys) {
            auto c = keyToClass.find(k);
            if (c == keyToClass.end())
                unknown += (unknown.empty() ? "'" : ", '") + k + "'";
            else
                labels.push_back(c->second);
        }
        if (!unknown.empty()) {
            report(ProblemKind::UnknownLabel, unknown + " not in " + raw.class_source + " (" + normal + ")");
            continue;
        }
        const fs::path full = root / normal;
        std::error_code ec;
        if (!fs::is_regular_file(full, ec)) {
            report(ProblemKind::MissingFile, normal + " does not exist");
            continue;
        }
        Clip clip;
        if (options.check_audio) {
            try {
                const AudioInfo info = probeAudio(full);
                if (info.frames <= 0)
                    throw Error(ErrorCode::BadFormat, "no samples");
                clip.duration_s = info.durationSeconds();
            } catch (const Error& e) {
                report(ProblemKind::UnreadableFile, normal + ": " + e.message());
                continue;
            }
        }
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
        clip.path = normal;
        clip.labels = std::move(labels);
        clip.split = r.split;
        clip.fold = r.fold;
        clip.group = r.group;
        clip.source = where();
        ds.multi_label = ds.multi_label || clip.labels.size() > 1;
        ds.clips.push_back(std::move(clip));
    }
    const auto counts = ds.classCounts();
    for (std::size_t c = 0; c < counts.size(); ++c)
        if (counts[c] == 0)
            ds.problems.push_back({ProblemKind::EmptyClass, raw.class_source, 0,
                                   "class '" + ds.classes[c] + "' has no clips"});
    if (ds.clips.empty() && ds.problems.empty())
        ds.problems.push_back({ProblemKind::EmptyClass, raw.class_source, 0, "the dataset has no clips"});

    // Reported in file order, whole-file problems (line 0) after the lines of their file.
    std::stable_sort(ds.problems.begin(), ds.problems.end(),
                     [](const DatasetProblem& a, const DatasetProblem& b) {
                         auto key = [](const DatasetProblem& p) {
                             return std::pair(p.file, p.line > 0 ? p.line : INT_MAX);
                         };
                         return key(a) < key(b);
                     });
    if (!options.skip_bad_rows && !ds.problems.empty()) {
        std::ostringstream msg;
        msg << ds.problems.size() << " problem" << (ds.problems.size() == 1 ? "" : "s") << " in the "
            << datasetFormatName(ds.format)
            << " dataset (fix them, or skip the bad rows to continue without them):";
        const std::size_t shown = std::min<std::size_t>(ds.problems.size(), 50);
        for (std::size_t i = 0; i < shown; ++i)
            msg << "\n  " << ds.problems[i].describe();
        if (shown < ds.problems.size())
            msg << "\n  ... and " << ds.problems.size() - shown << " more";
        throw Error(ErrorCode::Dataset, msg.str(), root.string());
    }
    return ds;
}

}  // namespace

DatasetFormat detectDatasetFormat(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw Error(ErrorCode::FileNotFound, "dataset folder does not exist", root.string());
    if (fs::exists(root / "meta" / "esc50.csv"))
        return DatasetFormat::Esc50;
    if (fs::is_directory(root / "FSD50K.ground_truth"))
        return DatasetFormat::Fsd50k;
    if (fs::exists(root / "class_labels_indices.csv"))
        return DatasetFormat::AudioSet;
    if (fs::exists(root / "validation_list.txt") || fs::exists(root / "testing_list.txt"))
        return DatasetFormat::SpeechCommands;
    if (fs::exists(root / "labels.csv") && fs::is_directory(root / "recordings"))
        return DatasetFormat::Fsdd;
    int csvs = 0;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_regular_file() && toLower(e.path().extension().string()) == ".csv")
            ++csvs;
    if (fs::exists(root / "labels.csv") || csvs == 1)
        return DatasetFormat::Csv;
    for (const auto& d : subfolders(root))
        if (!audioFilesUnder(d).empty())
            return DatasetFormat::Folder;
    throw Error(ErrorCode::Dataset,
                "cannot tell the dataset format: no labels.csv, no known metadata (ESC-50, FSD50K, "
                "AudioSet, Speech Commands) and no class folders with audio",
                root.string());
}

Dataset readDataset(const fs::path& root, const DatasetReadOptions& options) {
    const DatasetFormat format =
        options.format == DatasetFormat::Auto ? detectDatasetFormat(root) : options.format;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw Error(ErrorCode::FileNotFound, "dataset folder does not exist", root.string());
    Raw raw;
    switch (format) {
    case DatasetFormat::Folder:
        raw = readFolder(root);
        applyGroupsRule(raw, root, options.group_pattern);
        break;
    case DatasetFormat::Csv: raw = readGenericCsv(root, options.csv_file, DatasetFormat::Csv); break;
    case DatasetFormat::Fsdd:
        raw = readGenericCsv(root, options.csv_file.empty() ? "labels.csv" : options.csv_file,
                             DatasetFormat::Fsdd);
        break;
    case DatasetFormat::Esc50: raw = readEsc50(root); break;
    case DatasetFormat::Fsd50k: raw = readFsd50k(root); break;
    case DatasetFormat::AudioSet: raw = readAudioSet(root, options.audioset_csvs); break;
    case DatasetFormat::SpeechCommands: raw = readSpeechCommands(root); break;
    case DatasetFormat::Auto: throw Error(ErrorCode::Internal, "format detection returned auto");
    }
    return assemble(root, std::move(raw), options);
}

}  // namespace patchout
