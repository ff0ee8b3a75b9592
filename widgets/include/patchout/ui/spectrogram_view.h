// SpectrogramView draws a Features block it is given with a ColourMapParams, with axes in seconds
// and Hz (from Features::bin_frequencies), a hover read-out and a play cursor. File mode shows a
// whole block with zoom (wheel) and pan (drag); live mode appends frames and scrolls a window.
// It computes nothing: the application feeds it. Thread-safety: GUI thread only.
#pragma once

#include "patchout/explain.h"
#include "patchout/features.h"
#include "patchout/ui/colour_map.h"

#include <QImage>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

namespace patchout::ui {

// What lies under the mouse: the frame and bin, their time and centre frequency, the value and the
// level in dB relative to the block's maximum (NaN when the features are not logarithmic).
struct HoverReadout {
    bool valid = false;
    int frame = 0;
    int bin = 0;
    double seconds = 0;
    double frequency_hz = 0;
    double value = 0;
    double level_db = 0;
};

// A map laid over the spectrogram: what the model looked at in one window (an ExplanationMap),
// as cells of time x frequency drawn from transparent to orange by value (positive values only).
struct SpectrogramOverlay {
    std::vector<double> time_edges;  // seconds, columns + 1
    std::vector<double> freq_edges;  // hertz, rows + 1, row 0 the lowest
    std::vector<float> values;       // rows x columns, row-major, row 0 the lowest
    QString label;                   // what it shows, written over it
    bool empty() const noexcept { return values.empty(); }
    int rows() const noexcept { return freq_edges.empty() ? 0 : static_cast<int>(freq_edges.size()) - 1; }
    int columns() const noexcept { return time_edges.empty() ? 0 : static_cast<int>(time_edges.size()) - 1; }
    // The explanation's cells on the recording's time and frequency axes: a stride cell each (the
    // last one to the end of its patch).
    static SpectrogramOverlay of(const FileExplanation& explanation);
};

class SpectrogramView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { File, Live };

    explicit SpectrogramView(QWidget* parent = nullptr);

    // Room for the frequency labels on the left, and on the right: views drawn on the same time
    // axis beside it (PredictionTimeline) use the same margins.
    static constexpr int kLeftMargin = 62;
    static constexpr int kRightMargin = 8;

    // File mode: shows the whole block and resets zoom and pan to fit it.
    void setFeatures(const Features& features);
    // Live mode: starts an empty scrolling window with `metadata`'s bins and frame rate (e.g.
    // StreamingFeatureExtractor::emptyFeatures()) that keeps the last `windowSeconds`.
    void beginLive(const Features& metadata, double windowSeconds = 10.0);
    // Live mode: appends frames (same bins as beginLive) and scrolls so the newest is at the right.
    void appendFrames(const Features& frames);
    void clear();

    Mode mode() const noexcept { return m_mode; }
    const Features& features() const noexcept { return m_features; }
    // Time (s) of frame 0 of features(): non-zero in live mode once the window has scrolled.
    double startSeconds() const noexcept;

    void setColourMapParams(const ColourMapParams& params);
    const ColourMapParams& colourMapParams() const noexcept { return m_params; }

    // The overlay drawn over the picture (file mode; a new file or live source clears it).
    void setOverlay(const SpectrogramOverlay& overlay);
    void clearOverlay();
    const SpectrogramOverlay& overlay() const noexcept { return m_overlay; }
    void setOverlayVisible(bool visible);
    bool overlayVisible() const noexcept { return m_overlayVisible; }
    // The colour of an overlay cell whose value is `share` of the largest (0: transparent).
    static QColor overlayColour(double share);

    // Play cursor in seconds; NaN hides it.
    void setCursorSeconds(double seconds);
    double cursorSeconds() const noexcept { return m_cursor; }

    // Visible time range in seconds (file mode: zoom and pan; live mode: the scrolling window).
    double visibleStart() const noexcept { return m_viewStart; }
    double visibleEnd() const noexcept { return m_viewStart + m_viewSpan; }
    void setVisibleRange(double startSeconds, double endSeconds);
    // Zooms by `factor` (> 1 zooms in) keeping `anchorSeconds` where it is on screen.
    void zoom(double factor, double anchorSeconds);

    // Geometry, public so that callers and tests can map between pixels and data.
    QRect plotRect() const;
    double secondsAtX(double x) const;
    double xAtSeconds(double seconds) const;
    // Continuous bin position (0 = centre of the lowest bin) at a y coordinate, and back.
    double binAtY(double y) const;
    double yAtBin(double bin) const;
    double frequencyAtY(double y) const;
    double yAtFrequency(double hz) const;
    HoverReadout readoutAt(const QPointF& pos) const;
    const HoverReadout& hoverReadout() const noexcept { return m_hover; }
    // The read-out as the view shows it, e.g. "1.234 s  2.50 kHz  -23.1 dB".
    QString readoutText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // The mouse moved over data (readout.valid) or left it (readout.valid == false).
    void hoverChanged(const patchout::ui::HoverReadout& readout);
    void visibleRangeChanged(double startSeconds, double endSeconds);
    // A click without drag in file mode: the user asks to move the play position there.
    void seekRequested(double seconds);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    double fullDuration() const;
    void clampView();
    void updateHover(const QPointF& pos);
    void drawAxes(QPainter& painter, const QRect& plot) const;
    // displayRange() of the block, cached: a long file has millions of values to scan.
    std::pair<double, double> valueRange() const;

    Mode m_mode = Mode::File;
    Features m_features;
    std::int64_t m_droppedFrames = 0;  // live: frames scrolled out of the window
    double m_liveWindow = 10.0;
    ColourMapParams m_params;
    mutable QImage m_image;  // rendered m_features, rebuilt lazily when dirty
    mutable bool m_imageDirty = true;
    mutable std::optional<std::pair<double, double>> m_range;
    double m_viewStart = 0;
    double m_viewSpan = 1;
    double m_cursor;
    HoverReadout m_hover;
    SpectrogramOverlay m_overlay;
    bool m_overlayVisible = true;
    bool m_dragging = false;
    bool m_dragMoved = false;
    QPointF m_dragOrigin;
    double m_dragViewStart = 0;
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::HoverReadout)
Q_DECLARE_METATYPE(patchout::Features)
