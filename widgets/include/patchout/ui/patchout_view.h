// The Patchout view: what patchout hides from the model. It draws a log-mel block (the start of
// the file open in Listen, cut to the model's input) under the model's patch grid and darkens the
// patches a patchout mask drops; spin boxes set the structured (time columns, frequency rows) and
// unstructured counts and the seed, a button draws a new mask, and a line says how many patches
// stay and what that leaves of the attention cost. It draws what it is given: when a setting
// changes it asks the app (maskRequested) and shows the mask it gets back (setMask). With a model
// loaded, "Measure with the model" asks the app (robustnessRequested) to run it on the file's
// window with the shown mask and with random masks at each share of patches left out, and draws
// what it gets back (setRobustness): the score of the whole window's class and how often it stays
// on top, against the share of patches kept — what patchout training buys, on the user's clip.
// Beside the patchout canvas a second one shows SpecAugment's time and frequency masks on the same
// block (counts and widths set in the view, masks drawn by the app on specAugmentRequested): the
// masked cells are zeroed but every patch stays a token, so its attention cost is the full grid's.
// Thread-safety: GUI thread only.
#pragma once

#include "patchout/explain.h"
#include "patchout/features.h"
#include "patchout/passt.h"
#include "patchout/trainer.h"
#include "patchout/ui/colour_map.h"

#include <QImage>
#include <QWidget>

#include <cstdint>

class QComboBox;
class QLabel;

QT_BEGIN_NAMESPACE
class QChartView;
class QLineSeries;
class QScatterSeries;
QT_END_NAMESPACE
class QPushButton;
class QSpinBox;

namespace patchout::ui {

// Patch geometry on the feature block, as the model's patch embedding cuts it.
struct PatchGrid {
    int patch_size = 16;
    int stride_f = 10;
    int stride_t = 10;
    int freq_patches = 0;
    int time_patches = 0;
    int input_frames = 0;  // frames the model takes
    int bins = 0;          // mel bins the model takes
    // The grid a model of `options` lays on its input.
    static PatchGrid of(const PaSSTOptions& options);
};

// Draws the features with the grid and the dropped patches (kept: as is; dropped: darkened).
class PatchoutCanvas : public QWidget {
    Q_OBJECT
public:
    explicit PatchoutCanvas(QWidget* parent = nullptr);
    void setContent(const Features& features, const PatchGrid& grid, const PatchoutMask& mask,
                    const ColourMapParams& colours);
    // Draws SpecAugment's masks (zeroed bands of frames and bins) instead of a patch mask.
    void setSpecAugmentMasks(const SpecAugmentMasks& masks);
    // The rectangle the stride cell (f, t) occupies (frequency row 0 at the bottom).
    QRect cellRect(int f, int t) const;
    // The rectangle of bins [bin0, bin1) x frames [frame0, frame1) of the block.
    QRect blockRect(int bin0, int bin1, int frame0, int frame1) const;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRect plotRect() const;
    QImage m_image;  // the features, one pixel per bin and frame, cut/padded to input_frames
    PatchGrid m_grid;
    PatchoutMask m_mask;
    SpecAugmentMasks m_specAugment;
    bool m_showSpecAugment = false;
};

class PatchoutView : public QWidget {
    Q_OBJECT
public:
    explicit PatchoutView(QWidget* parent = nullptr);

    // The block to show (any length: cut or padded with silence to the grid's input) and where it
    // came from.
    void setFeatures(const QString& source, const Features& features);
    bool hasFeatures() const noexcept { return m_hasFeatures; }
    void setColourMapParams(const ColourMapParams& params);
    // Model presets offered (their grids); selects the first.
    void setPresets(const QStringList& names);
    void setPreset(const QString& name);  // one of the offered presets (others are ignored)
    QString preset() const;

    PatchoutOptions options() const;
    void setOptions(const PatchoutOptions& options);
    std::uint64_t seed() const;
    PatchGrid grid() const noexcept { return m_grid; }

    // The mask for the current settings, from the app; an empty mask with `error` says why none
    // could be drawn (e.g. everything would be dropped).
    void setMask(const PatchoutMask& mask, const QString& error = {});
    const PatchoutMask& mask() const noexcept { return m_mask; }
    QString summary() const;
    PatchoutCanvas* canvas() const noexcept { return m_canvas; }

    // SpecAugment beside patchout: the counts and widths shown (a run's own when the app sets them;
    // `source` names where they came from), and the masks the app drew for them.
    void setSpecAugmentOptions(const AugmentOptions& options, const QString& source = {});
    AugmentOptions specAugmentOptions() const;
    void setSpecAugmentMasks(const SpecAugmentMasks& masks);
    const SpecAugmentMasks& specAugmentMasks() const noexcept { return m_specMasks; }
    QString specAugmentSummary() const;
    PatchoutCanvas* specAugmentCanvas() const noexcept { return m_specCanvas; }

    // The model the app would measure with ("" none: Measure is off, and says why).
    void setModelName(const QString& name);
    void setRobustness(const PatchoutRobustness& robustness);
    // The same measured with a second model (e.g. one trained without patchout), dashed beside it.
    void setComparisonRobustness(const PatchoutRobustness& robustness, const QString& modelName);
    void setRobustnessError(const QString& message);
    QPushButton* compareButton() const noexcept { return m_compare; }
    QLineSeries* comparisonScoreSeries() const noexcept { return m_compareScore; }
    QLineSeries* comparisonSameTopSeries() const noexcept { return m_compareSameTop; }
    QPushButton* measureButton() const noexcept { return m_measure; }
    QLineSeries* scoreSeries() const noexcept { return m_scoreSeries; }      // (share kept, mean score)
    QLineSeries* sameTopSeries() const noexcept { return m_sameTopSeries; }  // (share kept, share on top)
    QScatterSeries* shownMaskSeries() const noexcept { return m_shownSeries; }
    QString robustnessText() const;

Q_SIGNALS:
    // Settings changed: the app draws the mask for `grid` and calls setMask().
    void maskRequested(const patchout::PatchoutOptions& options, const patchout::ui::PatchGrid& grid,
                       std::uint64_t seed);
    void robustnessRequested();
    // SpecAugment settings changed: the app draws the masks for a bins x frames block and calls
    // setSpecAugmentMasks().
    void specAugmentRequested(const patchout::AugmentOptions& options, int bins, int frames, std::uint64_t seed);
    // "Beside another model…": the app asks for a second model file and measures both.
    void comparisonModelRequested();

private:
    void request();
    void requestSpecAugment();
    void describeSpecAugment();
    QComboBox* m_preset = nullptr;
    QSpinBox* m_time = nullptr;
    QSpinBox* m_freq = nullptr;
    QSpinBox* m_unstructured = nullptr;
    QSpinBox* m_seed = nullptr;
    QPushButton* m_redraw = nullptr;
    QLabel* m_summary = nullptr;
    PatchoutCanvas* m_canvas = nullptr;
    QSpinBox* m_timeMasks = nullptr;
    QSpinBox* m_timeMaskFrames = nullptr;
    QSpinBox* m_freqMasks = nullptr;
    QSpinBox* m_freqMaskBins = nullptr;
    QLabel* m_specSummary = nullptr;
    PatchoutCanvas* m_specCanvas = nullptr;
    SpecAugmentMasks m_specMasks;
    QString m_specSource;  // where the SpecAugment settings came from ("" the view's defaults)
    QPushButton* m_measure = nullptr;
    QPushButton* m_compare = nullptr;
    QLineSeries* m_compareScore = nullptr;
    QLineSeries* m_compareSameTop = nullptr;
    QString m_primaryText;  // the text of the model's own measurement
    QChartView* m_robustnessView = nullptr;
    QLineSeries* m_scoreSeries = nullptr;
    QLineSeries* m_sameTopSeries = nullptr;
    QScatterSeries* m_shownSeries = nullptr;
    QLabel* m_robustnessText = nullptr;
    QString m_modelName;
    Features m_features;
    ColourMapParams m_colours;
    PatchGrid m_grid;
    PaSSTOptions m_model;  // the preset's, for token counts and cost
    PatchoutMask m_mask;
    QString m_source;
    bool m_hasFeatures = false;
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::PatchGrid)
