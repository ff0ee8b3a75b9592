// Datasets: a torch-free description of labelled audio clips (paths relative to the dataset root,
// class indices, split/fold, speaker/group) read from the layouts people already have, validated
// with a report that names file and line, and split by the dataset's own split, by speaker/group,
// or leave-one-group-out. readDataset(root) detects the layout; the loader and trainer take it.
// Thread-safety: free functions are reentrant; a Dataset is a plain value.
#pragma once

#include "patchout/job.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

enum class DatasetFormat {
    Auto,            // detect from the folder (detectDatasetFormat)
    Folder,          // <class>/<file> or <split>/<class>/<file>
    Csv,             // labels.csv: filename,label[,split|fold][,speaker|group]; multi-label "a;b"
    Esc50,           // meta/esc50.csv + audio/, 5 folds
    Fsd50k,          // FSD50K.ground_truth/{dev,eval,vocabulary}.csv + FSD50K.{dev,eval}_audio/
    AudioSet,        // *_segments.csv + class_labels_indices.csv; audio in <csv stem>/<YTID>.wav
    SpeechCommands,  // <word>/<speaker>_nohash_<n>.wav + validation_list.txt/testing_list.txt
    Fsdd,            // free-spoken-digit-dataset: labels.csv (filename,label,speaker,take,split)
};

const char* datasetFormatName(DatasetFormat format);
// Accepts the names datasetFormatName returns ("auto", "folder", "csv", "esc50", "fsd50k",
// "audioset", "speech-commands", "fsdd"); throws Error(InvalidArgument) listing them otherwise.
DatasetFormat parseDatasetFormat(const std::string& name);
std::vector<std::string> datasetFormatNames();

// The splits a clip can belong to; the readers map "val"/"valid"/"dev" to Validation and
// "eval"/"testing" to Test.
inline constexpr const char* kSplitTrain = "train";
inline constexpr const char* kSplitValidation = "validation";
inline constexpr const char* kSplitTest = "test";

struct Clip {
    std::string path;         // relative to the dataset root, '/' separators
    std::vector<int> labels;  // class indices, ascending, unique; several for multi-label sets
    std::string split;        // kSplitTrain | kSplitValidation | kSplitTest, or "" when unknown
    int fold = 0;             // 1-based fold where the dataset has folds (ESC-50), 0 otherwise
    std::string group;        // speaker / recording group where known ("" otherwise)
    double duration_s = 0;    // from the file header when read with check_audio, 0 otherwise
    std::string source;       // metadata file and line this clip came from ("esc50.csv:12")
};

enum class ProblemKind {
    MissingFile,      // the listed file does not exist
    UnreadableFile,   // it exists but is not audio libsndfile can open (or is empty)
    UnknownLabel,     // a label not in the dataset's vocabulary
    EmptyClass,       // a class with no clips
    Duplicate,        // the same file listed twice
    MalformedRow,     // wrong number of columns, bad number, unknown split, empty field
    PathEscapesRoot,  // absolute path or one that leaves the root with ".."
};
const char* problemKindName(ProblemKind kind);

struct DatasetProblem {
    ProblemKind kind = ProblemKind::MalformedRow;
    std::string file;  // the metadata file (or audio file) the problem is in, relative to the root
    int line = 0;      // 1-based line in `file`; 0 when it is not about a line
    std::string message;
    // "file:line: kind: message" (":line" omitted when 0).
    std::string describe() const;
};

struct Dataset {
    std::filesystem::path root;
    DatasetFormat format = DatasetFormat::Folder;
    std::vector<std::string> classes;  // index -> name, the order of the model's outputs
    std::vector<Clip> clips;
    bool multi_label = false;  // some clip has more than one label (or the format is multi-label)
    // Problems found while reading. Empty after a strict read (which throws instead); with
    // skip_bad_rows, the rows they name were left out (skipped_rows of them).
    std::vector<DatasetProblem> problems;
    std::size_t skipped_rows = 0;

    std::filesystem::path clipPath(const Clip& clip) const { return root / clip.path; }
    std::filesystem::path clipPath(std::size_t index) const { return clipPath(clips.at(index)); }
    // Clips per class (a multi-label clip counts once for each of its labels).
    std::vector<std::size_t> classCounts() const;
    std::vector<std::size_t> classCounts(const std::vector<std::size_t>& indices) const;
    // Distinct non-empty groups, sorted.
    std::vector<std::string> groups() const;
    int classIndex(const std::string& name) const;  // -1 when absent
};

struct DatasetReadOptions {
    DatasetFormat format = DatasetFormat::Auto;
    // false (default): any problem makes readDataset throw Error(Dataset) listing all of them.
    // true: rows with problems are left out, the rest is returned with `problems` and
    // `skipped_rows` saying what was left out (an empty class is reported but kept).
    bool skip_bad_rows = false;
    // Open each file's header: reports unreadable files and fills Clip::duration_s. Costs one
    // open per file; turn off for huge sets whose files are known good.
    bool check_audio = true;
    // Csv: the metadata file relative to the root ("" = labels.csv, or the only .csv there).
    std::string csv_file{};
    // AudioSet: the segment CSVs to read ("" = every *_segments.csv at the root).
    std::vector<std::string> audioset_csvs{};
    // Folder: the groups rule, a regular expression (ECMAScript) whose first capture group, found in
    // a clip's file name, is its group (speaker, recording session...): "^([a-z]+)_" gives
    // george_3.wav the group "george". "": the rule in the dataset's groups.txt when there is one
    // (its first line that is neither empty nor a # comment), else no groups. A rule that does not
    // compile or has no capture group is a MalformedRow problem naming it.
    std::string group_pattern{};
    // Progress of the rows checked ("checking clips", every 256 rows; with check_audio each is a
    // file opened, ~12,000 a second) and cancellation between them. nullptr: none.
    const JobControl* job = nullptr;
};

// The file a Folder dataset's groups rule is read from (DatasetReadOptions::group_pattern).
inline constexpr const char* kGroupsRuleFile = "groups.txt";

// Looks at the folder: meta/esc50.csv -> Esc50, FSD50K.ground_truth/ -> Fsd50k,
// class_labels_indices.csv -> AudioSet, validation_list.txt or testing_list.txt -> SpeechCommands,
// labels.csv + recordings/ -> Fsdd, labels.csv or one .csv -> Csv, sub-folders holding audio ->
// Folder. Throws Error(FileNotFound) for a missing root, Error(Dataset) when nothing fits.
DatasetFormat detectDatasetFormat(const std::filesystem::path& root);

// Reads and validates a dataset (see DatasetReadOptions for strict versus skip_bad_rows).
// Throws Error(Dataset) whose message lists every problem as "file:line: kind: message".
Dataset readDataset(const std::filesystem::path& root, const DatasetReadOptions& options = {});

// Audio file extensions the folder readers pick up (lower case, with the dot).
bool isAudioExtension(const std::filesystem::path& path);

// ---- splits --------------------------------------------------------------------------------------

// Indices into Dataset::clips.
struct DatasetSplit {
    std::string name;  // "own", "group", "held-out <group>"
    std::vector<std::size_t> train;
    std::vector<std::size_t> validation;
    std::vector<std::size_t> test;
    // How the validation clips were chosen when carveValidation chose them (or why there are none).
    std::string validation_note{};
};

struct OwnSplitOptions {
    int test_fold = 0;        // fold datasets: this fold is test (0 = the highest fold)
    int validation_fold = 0;  // fold datasets: this fold is validation (0 = none)
};

// The dataset's own split (Clip::split) or, for fold datasets, the folds chosen in `options`.
// Throws Error(Dataset) when some clip has neither a split nor a fold.
DatasetSplit splitByDataset(const Dataset& dataset, const OwnSplitOptions& options = {});

struct GroupSplitOptions {
    double test_fraction = 0.2;        // of the groups (rounded, at least one)
    double validation_fraction = 0.0;  // of the groups (rounded)
    std::uint64_t seed = 0;
};

// Groups (speakers) shuffled with `seed` and dealt to test, validation and train whole, so no
// group is on both sides. Throws Error(Dataset) when a clip has no group or there are fewer than
// two groups.
DatasetSplit splitByGroup(const Dataset& dataset, const GroupSplitOptions& options = {});

struct ValidationCarveOptions {
    double fraction = 0.1;  // of each class's training clips, in [0, 1); 0 = no validation split
    std::uint64_t seed = 0;
};

// `split` with validation clips taken from its training clips when it has none, so that model
// selection never looks at the test clips. About `fraction` of each class (at least one clip, never
// a class's last one), dealt in whole groups (speaker, group column) when the training clips all
// have one, there are two or more and the test clips share none of them (validation then mirrors
// held-out test speakers), else clip by clip; seeded. The test clips are untouched, and
// a split that has validation clips (or fraction 0) comes back as it is. When some class cannot
// give a validation clip, none is carved (validation_note names the classes: the best checkpoint is
// then the last epoch's). validation_note says what was done. Error(InvalidArgument) for a
// fraction outside [0, 1).
DatasetSplit carveValidation(const Dataset& dataset, const DatasetSplit& split,
                             const ValidationCarveOptions& options = {});

// One split per group (sorted by name): that group's clips are test, all others train.
std::vector<DatasetSplit> leaveOneGroupOut(const Dataset& dataset);

// Appends every clip of `extra` to `into` as a training clip: classes matched by name (a class of
// `extra` that `into` lacks is an Error(Dataset) naming it; classes it does not use are fine),
// paths made absolute (Dataset::clipPath still finds them), split set to train, groups prefixed
// with extra's folder name so they never merge with `into`'s. Returns the new clips' indices, for
// a split's train list. More data for training only, e.g. synthetic voices (synth-words) beside
// a few real speakers.
std::vector<std::size_t> appendTrainingClips(Dataset& into, const Dataset& extra);

}  // namespace patchout
