// What the model looked at: an explanation map over the patch grid of one window for one class.
//   Occlusion by patchout: the score's drop when a time column, a frequency row or a single patch is
//   left out of the sequence, the model's own masking (the patch is absent, not replaced by silence
//   or noise), so no new mechanism is involved. Positive: the score needed it.
//   Attention rollout (Abnar & Zuidema 2020): each block's attention averaged over heads, plus the
//   identity for the residual path, rows renormalised, multiplied through the blocks; the map is
//   what the tokens the head reads (class / distillation tokens, or the mean of the patch tokens)
//   attend to, patch by patch.
// `patchout explain` writes them as PNG or CSV; the workbench shows them for a window of the file in
// Listen and for a clip of the Evaluate view (explainFile, its Explain dialog).
// Thread-safety: functions of one model; use it from one thread meanwhile.
#pragma once

#include "patchout/features.h"
#include "patchout/image.h"
#include "patchout/passt.h"

#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

enum class ExplainMethod { OcclusionTime, OcclusionFrequency, OcclusionPatch, Rollout };
// "occlusion-time", "occlusion-frequency", "occlusion-patch", "rollout"; Error(InvalidArgument).
ExplainMethod explainMethodFromName(const std::string& name);
std::string explainMethodName(ExplainMethod method);

struct ExplainOptions {
    ExplainMethod method = ExplainMethod::OcclusionTime;
    int target_class = -1;    // -1: the class the model scores highest on the window
    bool softmax = false;     // scores by softmax over classes (single-label) instead of sigmoid
    int batch_size = 32;      // occluded copies per forward pass
};

struct ExplanationMap {
    ExplainMethod method = ExplainMethod::OcclusionTime;
    int target_class = 0;
    float score = 0;           // the class's score on the whole window
    int freq_patches = 0;      // the grid: rows (frequency, 0 = lowest) x columns (time)
    int time_patches = 0;
    std::vector<float> values;  // [f * time_patches + t]; occlusion: score drop, rollout: attention share
    int patch_size = 16, stride_f = 10, stride_t = 10;  // where a cell lies on the features
    float at(int f, int t) const { return values[static_cast<std::size_t>(f) * time_patches + t]; }
    // Sum of the values of each row (frequency) / column (time).
    std::vector<float> rowSums() const;
    std::vector<float> columnSums() const;
};

// The map for one window: `window` holds n_mels bins and at most the model's input_frames frames
// (shorter is fine; longer is an Error(InvalidArgument): cut the window first). Eval mode; the
// model is left as it was.
ExplanationMap explain(const PaSSTModel& model, const Features& window, const ExplainOptions& options = {});

// The window's log-mel in grey with the map laid over it (positive values from transparent to
// warm; each cell's value spread over the features it covers), scaled up for reading.
RgbImage renderExplanation(const Features& window, const ExplanationMap& map);
// Rows "f,t,value" under a header with the method, class and score as comments.
void writeExplanationCsv(const std::filesystem::path& path, const ExplanationMap& map,
                         const std::string& class_label = {});

// One window of a recording explained with a model file, as `patchout explain` and the workbench
// do it: the model's front end (its run's feature preset when it belongs to a run, else passt-32k,
// or `feature_preset`), the window of input_frames from start_s, the class by name (or index; ""
// the window's best) and softmax scores for a single-label model.
struct ExplainFileOptions {
    ExplainMethod method = ExplainMethod::OcclusionTime;
    double start_s = 0;
    std::string target_class{};
    std::string feature_preset{};
    // A window shorter than the model's input (a short clip, a recording's end) is filled with the
    // features of silence, as training pads clips and evaluation scores them (evaluationInferOptions):
    // the Evaluate view's score of a clip is the one explained. false: the model reads the window at
    // its length.
    bool pad_with_silence = true;
    std::string device = "cpu";  // where the model runs: "cpu", "cuda" or "auto" (resolveComputeDevice)
};
struct FileExplanation {
    Features window;            // the window's log-mel (what renderExplanation draws under the map)
    ExplanationMap map;
    std::string label;          // the class explained
    double start_s = 0, end_s = 0;
    double audio_end_s = 0;     // where the recording ends within the window (end_s unless padded)
    // Where the map is strongest: up to three time spans (seconds in the recording) and frequency
    // bands (Hz), each with its share of the map's sum, strongest first.
    struct Region {
        double from = 0, to = 0, value = 0;
    };
    std::vector<Region> strongest_times, strongest_bands;
};
// Error(FileNotFound | BadFormat) for the file or model, Error(Model) when the front end does not
// fit the model, Error(InvalidArgument) for a start outside the recording or an unknown class,
// Error(Unsupported) for a device this build or machine does not have.
FileExplanation explainFile(const std::filesystem::path& file, const std::filesystem::path& checkpoint,
                            const ExplainFileOptions& options = {});

// What patchout training buys, measured on the user's clip (the Patchout view): the model's answer
// on one window (as explainFile takes it) against the share of patches left out. For each share,
// `masks` random masks each leave that share of the patches out (unstructured, the model's own
// patchout); the points say how often the class of the whole window stays on top and the score it
// keeps. `shown_mask`, when it fits the model's grid, is scored too (the mask the view shows).
struct PatchoutRobustnessOptions {
    std::vector<double> drop_shares = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    int masks = 16;
    std::uint64_t seed = 0;
    double start_s = 0;
    std::string feature_preset{};
    PatchoutMask shown_mask{};  // no masks: none
    std::string device = "cpu";  // where the model runs, as ExplainFileOptions::device
};
struct PatchoutRobustness {
    std::string label;       // the window's top class with every patch
    int top_class = 0;
    float full_score = 0;
    int patches = 0;         // the window's grid: freq_patches x time_patches
    double start_s = 0, end_s = 0;
    struct Point {
        double drop_share = 0;
        int kept_patches = 0;
        double same_top_share = 0;  // masks under which the top class stayed on top
        double mean_score = 0, min_score = 0, max_score = 0;  // the top class's score
    };
    std::vector<Point> points;
    bool shown_scored = false;  // the shown mask fitted and was scored
    int shown_kept = 0;
    std::string shown_label;    // the top class under the shown mask
    float shown_score = 0;      // the whole window's top class's score under it
};
// Errors as explainFile; Error(InvalidArgument) for a share outside [0, 1) or masks < 1.
PatchoutRobustness patchoutRobustness(const std::filesystem::path& file, const std::filesystem::path& checkpoint,
                                      const PatchoutRobustnessOptions& options = {});

}  // namespace patchout
