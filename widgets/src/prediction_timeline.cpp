#include "patchout/ui/prediction_timeline.h"

#include "patchout/ui/colour_map.h"
#include "patchout/ui/spectrogram_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

constexpr int kTopMargin = 2;
constexpr int kBottomMargin = 2;

}  // namespace

PredictionTimeline::PredictionTimeline(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize PredictionTimeline::sizeHint() const { return {400, 30}; }
QSize PredictionTimeline::minimumSizeHint() const { return {SpectrogramView::kLeftMargin + 120, 30}; }

void PredictionTimeline::setResult(const ClipResult& result, const QStringList& labels, const QString& model) {
    m_result = result;
    m_labels = labels;
    m_model = model;
    setVisibleRange(0, std::max(result.duration_s, 1e-3));  // the whole file until told otherwise
    setToolTip(model.isEmpty() ? QString() : tr("Windows classified by %1").arg(model));
    update();
}

void PredictionTimeline::clear() {
    m_result = {};
    m_labels.clear();
    m_model.clear();
    setToolTip({});
    update();
}

QString PredictionTimeline::label(int cls) const {
    return cls >= 0 && cls < m_labels.size() ? m_labels[cls] : tr("class %1").arg(cls);
}

std::pair<double, double> PredictionTimeline::segment(int i) const {
    const auto& w = m_result.windows;
    const auto centre = [&w](int k) { return 0.5 * (w[k].start_s + w[k].end_s); };
    const int n = static_cast<int>(w.size());
    const double begin = i == 0 ? w[0].start_s : 0.5 * (centre(i - 1) + centre(i));
    const double end = i == n - 1 ? std::max(w[i].end_s, m_result.duration_s) : 0.5 * (centre(i) + centre(i + 1));
    return {begin, end};
}

int PredictionTimeline::windowAt(double seconds) const {
    const int n = static_cast<int>(m_result.windows.size());
    for (int i = 0; i < n; ++i) {
        const auto [begin, end] = segment(i);
        if (seconds >= begin && (seconds < end || (i == n - 1 && seconds <= end)))
            return i;
    }
    return -1;
}

std::pair<int, float> PredictionTimeline::best(int index) const {
    const auto& scores = m_result.windows.at(static_cast<std::size_t>(index)).scores;
    if (scores.empty())
        return {-1, 0.0f};
    const auto it = std::max_element(scores.begin(), scores.end());
    return {static_cast<int>(it - scores.begin()), *it};
}

QString PredictionTimeline::describeWindow(int index, int k) const {
    const WindowResult& w = m_result.windows.at(static_cast<std::size_t>(index));
    QStringList parts;
    for (const auto& [cls, score] : patchout::topK(w.scores, k))
        parts << QStringLiteral("%1 %2").arg(label(cls)).arg(score, 0, 'f', 2);
    return QStringLiteral("%1-%2 s: %3").arg(w.start_s, 0, 'f', 2).arg(w.end_s, 0, 'f', 2).arg(parts.join(QStringLiteral(", ")));
}

QRect PredictionTimeline::plotRect() const {
    return QRect(SpectrogramView::kLeftMargin, kTopMargin,
                 std::max(1, width() - SpectrogramView::kLeftMargin - SpectrogramView::kRightMargin),
                 std::max(1, height() - kTopMargin - kBottomMargin));
}

double PredictionTimeline::xAtSeconds(double seconds) const {
    const QRect p = plotRect();
    return p.left() + (seconds - m_viewStart) / (m_viewEnd - m_viewStart) * p.width();
}

double PredictionTimeline::secondsAtX(double x) const {
    const QRect p = plotRect();
    return m_viewStart + (x - p.left()) / p.width() * (m_viewEnd - m_viewStart);
}

void PredictionTimeline::setVisibleRange(double startSeconds, double endSeconds) {
    if (!(endSeconds > startSeconds))
        return;
    m_viewStart = startSeconds;
    m_viewEnd = endSeconds;
    update();
}

void PredictionTimeline::setCursorSeconds(double seconds) {
    if (seconds == m_cursor)
        return;
    m_cursor = seconds;
    update();
}

void PredictionTimeline::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QRect plot = plotRect();
    painter.fillRect(plot, palette().color(QPalette::Base));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, plot.top(), SpectrogramView::kLeftMargin - 6, plot.height()),
                     Qt::AlignRight | Qt::AlignVCenter, tr("Model"));
    if (!hasResult()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(plot.adjusted(6, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                         tr("What the model hears along the file appears here once it is classified"));
        return;
    }
    painter.setClipRect(plot);
    const int n = static_cast<int>(m_result.windows.size());
    // Segments, then one label per run of windows with the same best class.
    int runStart = 0;
    for (int i = 0; i < n; ++i) {
        const auto [begin, end] = segment(i);
        const auto [cls, score] = best(i);
        QColor colour = categoryColour(cls);
        colour.setAlphaF(0.25 + 0.75 * std::clamp(static_cast<double>(score), 0.0, 1.0));
        const double x0 = xAtSeconds(begin), x1 = xAtSeconds(end);
        painter.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), colour);
        const bool runEnds = i == n - 1 || best(i + 1).first != cls;
        if (!runEnds)
            continue;
        const double rx0 = xAtSeconds(segment(runStart).first);
        const QRectF run(rx0, plot.top(), x1 - rx0, plot.height());
        const QString text = label(cls);
        if (painter.fontMetrics().horizontalAdvance(text) + 6 < run.width()) {
            painter.setPen(colour.lightnessF() > 0.6 ? Qt::black : Qt::white);
            painter.drawText(run, Qt::AlignCenter, text);
        }
        painter.setPen(QPen(palette().color(QPalette::Base), 1));
        painter.drawLine(QPointF(x1, plot.top()), QPointF(x1, plot.bottom()));
        runStart = i + 1;
    }
    if (m_cursor >= m_viewStart && m_cursor <= m_viewEnd) {
        painter.setPen(QPen(Qt::white, 2));
        const double x = xAtSeconds(m_cursor);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
}

void PredictionTimeline::mouseMoveEvent(QMouseEvent* event) {
    if (!hasResult() || !plotRect().contains(event->position().toPoint())) {
        QToolTip::hideText();
        return;
    }
    const int i = windowAt(secondsAtX(event->position().x()));
    if (i >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), describeWindow(i), this);
}

void PredictionTimeline::mousePressEvent(QMouseEvent* event) {
    if (hasResult() && event->button() == Qt::LeftButton && plotRect().contains(event->position().toPoint()))
        Q_EMIT seekRequested(std::clamp(secondsAtX(event->position().x()), 0.0, m_result.duration_s));
}

}  // namespace patchout::ui
