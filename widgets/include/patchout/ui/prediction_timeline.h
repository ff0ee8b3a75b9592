// PredictionTimeline shows what a model heard along a file: one coloured segment per analysis
// window, in the colour of the window's best class (categoryColour) and more opaque the surer the model is; the
// segments of overlapping windows meet halfway between their centres, runs of one class are
// labelled where there is room. It sits under the SpectrogramView on the same time axis (the same
// margins; setVisibleRange follows the spectrogram's zoom and pan) with the same play cursor.
// Hover names the window's top classes; a click asks to seek there. It draws the ClipResult it is
// given and computes nothing. Thread-safety: GUI thread only.
#pragma once

#include "patchout/classifier.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <utility>
#include <vector>

namespace patchout::ui {

class PredictionTimeline : public QWidget {
    Q_OBJECT
public:
    explicit PredictionTimeline(QWidget* parent = nullptr);

    // `labels` name the classes (missing ones are "class N"); `model` is shown in the tooltip.
    // Shows the whole file; setVisibleRange() narrows it.
    void setResult(const ClipResult& result, const QStringList& labels, const QString& model = {});
    void clear();
    bool hasResult() const noexcept { return !m_result.windows.empty(); }
    const ClipResult& result() const noexcept { return m_result; }
    QString label(int cls) const;

    // The window whose segment holds `seconds`, or -1.
    int windowAt(double seconds) const;
    // Best class of window `index` and its score.
    std::pair<int, float> best(int index) const;
    // "1.00-2.00 s: seven 0.93, one 0.04, two 0.01".
    QString describeWindow(int index, int k = 3) const;

    double visibleStart() const noexcept { return m_viewStart; }
    double visibleEnd() const noexcept { return m_viewEnd; }
    double xAtSeconds(double seconds) const;
    double secondsAtX(double x) const;
    QRect plotRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void setVisibleRange(double startSeconds, double endSeconds);
    void setCursorSeconds(double seconds);  // negative: no cursor

Q_SIGNALS:
    void seekRequested(double seconds);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    // Where window i's segment begins and ends (halfway to its neighbours' centres).
    std::pair<double, double> segment(int index) const;

    ClipResult m_result;
    QStringList m_labels;
    QString m_model;
    double m_viewStart = 0;
    double m_viewEnd = 1;
    double m_cursor = -1;
};

}  // namespace patchout::ui
