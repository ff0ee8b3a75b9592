// The Model view: what the loaded model is and what it costs. A summary line; the architecture
// (input, patch grid, width, depth, heads, tokens, positional encoding, pooling, training patchout);
// the cost of one window per part (patch embedding, attention projections, attention scores, MLP,
// head) with all patches and with the training patchout, which is what patchout saves; a measured
// speed on this machine; the profile (core profiler.h: per kind of part the parameters, MACs,
// measured forward and forward + backward time with a bar for its share, activation memory); the
// parameter table (official key names, shapes, counts), the classes and the checkpoint's metadata.
// The Optimise tab draws the heads' importance as a blocks x heads map, predicts what dropping the
// top blocks and pruning to a share of the heads leaves (parameters, MACs, latency from the
// profile) before anything runs, and
// asks the app to prune and fine-tune (pruneRequested) as a run the Train view follows; likewise
// to share weights between blocks (ALBERT) and fine-tune (shareRequested), with the parameters
// that would save shown first; after such a run, the model it started from and the new one side by
// side (setComparison).
// It draws the ModelCard it is given; "Measure speed", "Profile" and "Measure importance" ask the
// app (speedRequested, profileRequested, importanceRequested) and show what they get back.
// Thread-safety: GUI thread only.
#pragma once

#include "patchout/heads.h"
#include "patchout/live_classifier.h"
#include "patchout/passt.h"
#include "patchout/profiler.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

class QLabel;
class QComboBox;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableWidget;

namespace patchout::ui {

struct ModelCard {
    QString path;
    PaSSTOptions options;
    QStringList labels;                 // one per class, or empty
    QString activation;                 // "softmax" (single-label) or "sigmoid" (multi-label)
    std::vector<TensorInfo> parameters;
    std::int64_t parameter_count = 0;
    std::vector<std::pair<QString, QString>> metadata;
    double frame_rate = 100;            // feature frames per second
    ForwardCost cost;                   // one window of input_frames, every patch
    ForwardCost training_cost;          // the same window with the model's training patchout
    // The precision live classification chose (LiveOptions::precision "auto"), when it runs.
    std::optional<LivePrecision> live_precision;
};

struct SpeedResult {
    double window_s = 0;
    int runs = 0;
    double median_ms = 0;  // one window, batch 1, features included
    double p90_ms = 0;
    int threads = 1;       // LibTorch threads
    QString blas;          // e.g. "OpenBLAS 0.3.21 (SkylakeX), 2 threads"
    QString device;        // where the model ran, as said to the user ("the CPU", "the GPU (CUDA)"); empty: the CPU
};

class ModelView : public QWidget {
    Q_OBJECT
public:
    explicit ModelView(QWidget* parent = nullptr);

    void setModel(const ModelCard& card);
    void clear();
    bool hasModel() const noexcept { return m_hasModel; }
    // Shows a measurement (or an error) and enables the button again.
    void setSpeed(const SpeedResult& result);
    void setSpeedFailed(const QString& message);
    // Shows a profile (or an error) and enables its button again.
    void setProfile(const ModelProfile& profile);
    void setProfileFailed(const QString& message);

    QString summary() const;
    QString speedText() const;
    QTableWidget* architectureTable() const noexcept { return m_architecture; }
    QTableWidget* costTable() const noexcept { return m_cost; }
    QTableWidget* parameterTable() const noexcept { return m_parameters; }
    QListWidget* classList() const noexcept { return m_classes; }
    QTableWidget* metadataTable() const noexcept { return m_metadata; }
    QPushButton* speedButton() const noexcept { return m_measure; }
    QPushButton* profileButton() const noexcept { return m_profileButton; }
    QTableWidget* profileTable() const noexcept { return m_profile; }
    QString profileText() const;
    // Shows the tab of the profile.
    void showProfile();

    // Head importance (heads.h) of the loaded model, or why there is none.
    void setImportance(const HeadScores& importance);
    void setImportanceFailed(const QString& message);
    // The share of heads the prune slider keeps, the blocks kept (the first ones), and what they
    // predict.
    double keepShare() const;
    void setKeepShare(double share);
    int keepBlocks() const;
    void setKeepBlocks(int blocks);
    QString predictionText() const;
    QString importanceText() const;
    QPushButton* importanceButton() const noexcept { return m_importanceButton; }
    QPushButton* pruneButton() const noexcept { return m_pruneButton; }
    QPushButton* shareButton() const noexcept { return m_shareButton; }
    QComboBox* sharingBox() const noexcept { return m_sharing; }
    QString sharingText() const;
    QWidget* headMap() const noexcept { return m_headMap; }
    const ModelCard& card() const noexcept { return m_card; }
    // Before and after side by side in the Optimise tab: `before` (the model a prune or share run
    // started from) beside the model shown; cleared by the next setModel().
    void setComparison(const ModelCard& before);
    QTableWidget* comparisonTable() const noexcept { return m_compare; }
    // The heads the slider keeps in the kept blocks (empty before the importance is known, unless
    // every head is kept).
    HeadSelection keptHeads() const;
    void showOptimise();

Q_SIGNALS:
    void speedRequested();
    void profileRequested();
    void importanceRequested();
    // Drop all blocks but the first `keepBlocks`, prune the rest to `keepShare` of their heads and
    // fine-tune, as a new run.
    void pruneRequested(double keepShare, int keepBlocks);
    // Share `sharing` ("all", "attention", "mlp") in groups of two blocks and fine-tune, as a new run.
    void shareRequested(const QString& sharing);

private:
    QStackedWidget* m_pages = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_architecture = nullptr;
    QTableWidget* m_cost = nullptr;
    QTableWidget* m_parameters = nullptr;
    QListWidget* m_classes = nullptr;
    QTableWidget* m_metadata = nullptr;
    QPushButton* m_measure = nullptr;
    QLabel* m_speed = nullptr;
    QTabWidget* m_tabs = nullptr;
    QPushButton* m_profileButton = nullptr;
    QLabel* m_profileText = nullptr;
    QTableWidget* m_profile = nullptr;
    QPushButton* m_importanceButton = nullptr;
    QLabel* m_importanceText = nullptr;
    QWidget* m_headMap = nullptr;
    QSlider* m_keep = nullptr;
    QLabel* m_keepLabel = nullptr;
    QSpinBox* m_keepBlocks = nullptr;
    QLabel* m_prediction = nullptr;
    QPushButton* m_pruneButton = nullptr;
    QComboBox* m_sharing = nullptr;
    QLabel* m_sharingText = nullptr;
    QPushButton* m_shareButton = nullptr;
    QTableWidget* m_compare = nullptr;
    void updateSharing();
    ModelCard m_card;
    HeadScores m_importance;
    std::optional<ModelProfile> m_lastProfile;
    void updatePrediction();
    bool m_hasModel = false;
};

// "1.23 G", "456.7 M", "89.0 k": multiply-accumulates, FLOPs or parameters in short.
QString shortCount(double value);

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::ModelCard)
Q_DECLARE_METATYPE(patchout::ui::SpeedResult)
Q_DECLARE_METATYPE(patchout::ModelProfile)
Q_DECLARE_METATYPE(patchout::HeadScores)
