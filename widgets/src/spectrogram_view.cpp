#include "patchout/ui/spectrogram_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace patchout::ui {
namespace {

// Room for the time labels below (kLeftMargin, kRightMargin: the header).
constexpr int kTopMargin = 8;
constexpr int kBottomMargin = 26;
constexpr int kMinVisibleFrames = 8;

QString formatHz(double hz) {
    if (hz >= 1000.0)
        return QStringLiteral("%1 kHz").arg(hz / 1000.0, 0, 'f', hz >= 10000.0 ? 1 : 2);
    return QStringLiteral("%1 Hz").arg(hz, 0, 'f', 0);
}

QString formatSeconds(double s, double step) {
    const int decimals = step >= 1.0 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
    return QStringLiteral("%1").arg(s, 0, 'f', decimals);
}

}  // namespace

SpectrogramView::SpectrogramView(QWidget* parent)
    : QWidget(parent), m_cursor(std::numeric_limits<double>::quiet_NaN()) {
    qRegisterMetaType<HoverReadout>();
    qRegisterMetaType<Features>();
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
}

QSize SpectrogramView::sizeHint() const { return {800, 360}; }
QSize SpectrogramView::minimumSizeHint() const { return {kLeftMargin + 120, 140}; }

void SpectrogramView::setFeatures(const Features& features) {
    m_mode = Mode::File;
    m_features = features;
    m_overlay = {};
    m_droppedFrames = 0;
    m_imageDirty = true;
    m_range.reset();
    m_viewStart = 0;
    m_viewSpan = std::max(fullDuration(), 1e-3);
    m_hover = {};
    update();
    Q_EMIT visibleRangeChanged(visibleStart(), visibleEnd());
}

void SpectrogramView::beginLive(const Features& metadata, double windowSeconds) {
    m_mode = Mode::Live;
    m_features = metadata;
    m_overlay = {};
    m_features.n_frames = 0;
    m_features.data.clear();
    m_droppedFrames = 0;
    m_liveWindow = std::max(0.5, windowSeconds);
    m_viewStart = 0;
    m_viewSpan = m_liveWindow;
    m_imageDirty = true;
    m_range.reset();
    m_hover = {};
    update();
}

void SpectrogramView::appendFrames(const Features& frames) {
    if (m_mode != Mode::Live || frames.n_frames == 0)
        return;
    if (frames.n_bins != m_features.n_bins)
        return;  // a block from an older stream with other settings: not ours to draw
    m_features.append(frames);
    const auto keep = static_cast<int>(std::ceil(m_liveWindow * m_features.frame_rate));
    if (m_features.n_frames > keep) {
        const int drop = m_features.n_frames - keep;
        m_features.data.erase(m_features.data.begin(),
                              m_features.data.begin() +
                                  static_cast<std::ptrdiff_t>(drop) * m_features.n_bins);
        m_features.n_frames = keep;
        m_droppedFrames += drop;
    }
    const double end = startSeconds() + fullDuration();
    m_viewStart = std::max(0.0, end - m_liveWindow);
    m_viewSpan = m_liveWindow;
    m_imageDirty = true;
    m_range.reset();
    update();
}

void SpectrogramView::clear() {
    m_features = {};
    m_overlay = {};
    m_droppedFrames = 0;
    m_imageDirty = true;
    m_range.reset();
    m_hover = {};
    m_cursor = std::numeric_limits<double>::quiet_NaN();
    update();
}

double SpectrogramView::startSeconds() const noexcept {
    return m_features.frame_rate > 0 ? static_cast<double>(m_droppedFrames) / m_features.frame_rate
                                     : 0.0;
}

std::pair<double, double> SpectrogramView::valueRange() const {
    if (!m_range)
        m_range = displayRange(m_features, m_params);
    return *m_range;
}

double SpectrogramView::fullDuration() const { return m_features.durationSeconds(); }

void SpectrogramView::setColourMapParams(const ColourMapParams& params) {
    m_params = params;
    m_imageDirty = true;
    m_range.reset();
    update();
}

void SpectrogramView::setCursorSeconds(double seconds) {
    if (seconds == m_cursor || (std::isnan(seconds) && std::isnan(m_cursor)))
        return;
    m_cursor = seconds;
    update();
}

void SpectrogramView::setVisibleRange(double startSeconds, double endSeconds) {
    if (m_mode == Mode::Live)
        return;  // the live window follows the newest frame
    m_viewStart = startSeconds;
    m_viewSpan = endSeconds - startSeconds;
    clampView();
    m_imageDirty = true;  // the colour range covers the whole block: panning keeps it
    update();
    Q_EMIT visibleRangeChanged(visibleStart(), visibleEnd());
}

void SpectrogramView::zoom(double factor, double anchorSeconds) {
    if (m_mode == Mode::Live || !(factor > 0))
        return;
    const double newSpan = m_viewSpan / factor;
    const double fraction = m_viewSpan > 0 ? (anchorSeconds - m_viewStart) / m_viewSpan : 0.5;
    setVisibleRange(anchorSeconds - fraction * newSpan, anchorSeconds - fraction * newSpan + newSpan);
}

void SpectrogramView::clampView() {
    const double full = std::max(fullDuration(), 1e-3);
    const double minSpan =
        m_features.frame_rate > 0 ? std::min(full, kMinVisibleFrames / m_features.frame_rate) : full;
    m_viewSpan = std::clamp(m_viewSpan, minSpan, full);
    m_viewStart = std::clamp(m_viewStart, 0.0, full - m_viewSpan);
}

QRect SpectrogramView::plotRect() const {
    return QRect(kLeftMargin, kTopMargin, std::max(1, width() - kLeftMargin - kRightMargin),
                 std::max(1, height() - kTopMargin - kBottomMargin));
}

double SpectrogramView::secondsAtX(double x) const {
    const QRect p = plotRect();
    return m_viewStart + (x - p.left()) / p.width() * m_viewSpan;
}

double SpectrogramView::xAtSeconds(double seconds) const {
    const QRect p = plotRect();
    return p.left() + (seconds - m_viewStart) / m_viewSpan * p.width();
}

double SpectrogramView::binAtY(double y) const {
    const QRect p = plotRect();
    const double rowHeight = static_cast<double>(p.height()) / std::max(1, m_features.n_bins);
    return (p.top() + p.height() - y) / rowHeight - 0.5;
}

double SpectrogramView::yAtBin(double bin) const {
    const QRect p = plotRect();
    const double rowHeight = static_cast<double>(p.height()) / std::max(1, m_features.n_bins);
    return p.top() + p.height() - (bin + 0.5) * rowHeight;
}

double SpectrogramView::frequencyAtY(double y) const {
    const auto& f = m_features.bin_frequencies;
    const double bin = binAtY(y);
    if (f.empty())
        return bin;
    if (f.size() == 1 || bin <= 0)
        return f.front();
    if (bin >= static_cast<double>(f.size() - 1))
        return f.back();
    const auto i = static_cast<std::size_t>(bin);
    const double t = bin - static_cast<double>(i);
    return f[i] + t * (f[i + 1] - f[i]);
}

double SpectrogramView::yAtFrequency(double hz) const {
    const auto& f = m_features.bin_frequencies;
    if (f.size() < 2)
        return yAtBin(hz);
    // bin_frequencies increase with the bin: invert the piecewise-linear map.
    const auto it = std::lower_bound(f.begin(), f.end(), hz);
    if (it == f.begin())
        return yAtBin(0);
    if (it == f.end())
        return yAtBin(static_cast<double>(f.size() - 1));
    const auto i = static_cast<std::size_t>(it - f.begin());
    const double t = (hz - f[i - 1]) / (f[i] - f[i - 1]);
    return yAtBin(static_cast<double>(i - 1) + t);
}

HoverReadout SpectrogramView::readoutAt(const QPointF& pos) const {
    HoverReadout r;
    const QRect p = plotRect();
    if (m_features.n_frames == 0 || m_features.n_bins == 0 || m_features.frame_rate <= 0 ||
        !QRectF(p).contains(pos))
        return r;
    const double seconds = secondsAtX(pos.x());
    const auto frame = static_cast<int>(std::floor((seconds - startSeconds()) * m_features.frame_rate));
    if (frame < 0 || frame >= m_features.n_frames)
        return r;
    const int bin = std::clamp(static_cast<int>(std::lround(binAtY(pos.y()))), 0, m_features.n_bins - 1);
    r.valid = true;
    r.frame = frame;
    r.bin = bin;
    r.seconds = seconds;
    r.frequency_hz = bin < static_cast<int>(m_features.bin_frequencies.size())
                         ? m_features.bin_frequencies[static_cast<std::size_t>(bin)]
                         : bin;
    r.value = m_features.at(bin, frame);
    const double high = valueRange().second;
    r.level_db = m_features.db_per_unit > 0 ? (r.value - high) * m_features.db_per_unit
                                            : std::numeric_limits<double>::quiet_NaN();
    return r;
}

QString SpectrogramView::readoutText() const {
    if (!m_hover.valid)
        return {};
    const QString level = std::isnan(m_hover.level_db)
                              ? tr("value %1").arg(m_hover.value, 0, 'g', 4)
                              : tr("%1 dB re max").arg(m_hover.level_db, 0, 'f', 1);
    return tr("%1 s   %2   %3")
        .arg(m_hover.seconds, 0, 'f', 3)
        .arg(formatHz(m_hover.frequency_hz))
        .arg(level);
}

void SpectrogramView::updateHover(const QPointF& pos) {
    const HoverReadout r = readoutAt(pos);
    if (!r.valid && !m_hover.valid)
        return;
    m_hover = r;
    update();
    Q_EMIT hoverChanged(m_hover);
}

SpectrogramOverlay SpectrogramOverlay::of(const FileExplanation& e) {
    SpectrogramOverlay o;
    const ExplanationMap& m = e.map;
    const Features& w = e.window;
    if (m.freq_patches < 1 || m.time_patches < 1 || w.frame_rate <= 0 || w.bin_frequencies.empty())
        return o;
    for (int t = 0; t <= m.time_patches; ++t) {
        const int frame = t < m.time_patches ? t * m.stride_t : (m.time_patches - 1) * m.stride_t + m.patch_size;
        o.time_edges.push_back(e.start_s + frame / w.frame_rate);
    }
    const int lastBin = static_cast<int>(w.bin_frequencies.size()) - 1;
    for (int f = 0; f <= m.freq_patches; ++f) {
        const int bin = f < m.freq_patches ? f * m.stride_f : (m.freq_patches - 1) * m.stride_f + m.patch_size - 1;
        o.freq_edges.push_back(w.bin_frequencies[static_cast<std::size_t>(std::clamp(bin, 0, lastBin))]);
    }
    o.values = m.values;  // [f * time_patches + t], row 0 the lowest band: the layout wanted
    o.label = QString::fromStdString(explainMethodName(m.method) + ": " + e.label);
    return o;
}

QColor SpectrogramView::overlayColour(double share) {
    const double s = std::clamp(share, 0.0, 1.0);
    return QColor(255, static_cast<int>(std::lround(200 - 110 * s)), 0, static_cast<int>(std::lround(170 * s)));
}

void SpectrogramView::setOverlay(const SpectrogramOverlay& overlay) {
    const bool fits = overlay.rows() > 0 && overlay.columns() > 0 &&
                      overlay.values.size() == static_cast<std::size_t>(overlay.rows()) * static_cast<std::size_t>(overlay.columns());
    m_overlay = fits ? overlay : SpectrogramOverlay{};
    m_overlayVisible = true;
    update();
}

void SpectrogramView::clearOverlay() {
    m_overlay = {};
    update();
}

void SpectrogramView::setOverlayVisible(bool visible) {
    m_overlayVisible = visible;
    update();
}

void SpectrogramView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    const QRect plot = plotRect();
    painter.fillRect(plot, colourAt(m_params.map, 0.0));

    const Features& f = m_features;
    if (f.n_frames > 0 && f.n_bins > 0 && f.frame_rate > 0) {
        // One image column per screen pixel (or per frame when zoomed in); a column that covers
        // several frames shows their maximum, so short events stay visible when zoomed out.
        const double firstFrame = (m_viewStart - startSeconds()) * f.frame_rate;
        const double framesVisible = m_viewSpan * f.frame_rate;
        const int columns = std::max(1, std::min(plot.width(), static_cast<int>(std::ceil(framesVisible))));
        if (m_imageDirty || m_image.width() != columns || m_image.height() != f.n_bins) {
            m_image = QImage(columns, f.n_bins, QImage::Format_RGB32);
            const auto [low, high] = valueRange();
            std::array<QRgb, 256> lut{};
            for (std::size_t i = 0; i < lut.size(); ++i)
                lut[i] = colourAt(m_params.map, static_cast<double>(i) / 255.0).rgb();
            const QRgb empty = colourAt(m_params.map, 0.0).rgb();
            const double scale = 255.0 / (high - low);
            // Frames [first, last) shown by each column.
            std::vector<std::pair<int, int>> spans(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                const auto a = static_cast<int>(std::floor(firstFrame + framesVisible * c / columns));
                const auto b = std::max(a + 1, static_cast<int>(std::floor(firstFrame + framesVisible * (c + 1) / columns)));
                spans[static_cast<std::size_t>(c)] = {std::max(a, 0), std::min(b, f.n_frames)};
            }
            // Tiles of kTile columns x kTile bins keep both the frame-major reads and the
            // row-major image writes in cache (a whole-column pass strides across every row).
            constexpr int kTile = 64;
            const int stride = static_cast<int>(m_image.bytesPerLine() / sizeof(QRgb));
            auto* pixels = reinterpret_cast<QRgb*>(m_image.bits());
            for (int c0 = 0; c0 < columns; c0 += kTile) {
                const int c1 = std::min(columns, c0 + kTile);
                for (int bin0 = 0; bin0 < f.n_bins; bin0 += kTile) {
                    const int bin1 = std::min(f.n_bins, bin0 + kTile);
                    for (int c = c0; c < c1; ++c) {
                        const auto [a0, b0] = spans[static_cast<std::size_t>(c)];
                        for (int bin = bin0; bin < bin1; ++bin) {
                            QRgb& px = pixels[(f.n_bins - 1 - bin) * stride + c];
                            if (a0 >= b0) {
                                px = empty;
                                continue;
                            }
                            float v = f.at(bin, a0);
                            for (int t = a0 + 1; t < b0; ++t)
                                v = std::max(v, f.at(bin, t));
                            const double u = (v - low) * scale;
                            // Written so that a NaN value takes the lowest colour.
                            px = lut[u > 0.0 ? static_cast<std::size_t>(std::min(u, 255.0)) : 0];
                        }
                    }
                }
            }
            m_imageDirty = false;
        }
        painter.drawImage(plot, m_image);
    }

    if (m_mode == Mode::File && m_overlayVisible && !m_overlay.empty()) {
        const float largest = *std::max_element(m_overlay.values.begin(), m_overlay.values.end());
        painter.save();
        painter.setClipRect(plot);
        const int rows = m_overlay.rows(), cols = m_overlay.columns();
        for (int r = 0; r < rows && largest > 0; ++r)
            for (int c = 0; c < cols; ++c) {
                const float v = m_overlay.values[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                                                 static_cast<std::size_t>(c)];
                if (!(v > 0))
                    continue;
                const QRectF cell(QPointF(xAtSeconds(m_overlay.time_edges[static_cast<std::size_t>(c)]),
                                          yAtFrequency(m_overlay.freq_edges[static_cast<std::size_t>(r) + 1])),
                                  QPointF(xAtSeconds(m_overlay.time_edges[static_cast<std::size_t>(c) + 1]),
                                          yAtFrequency(m_overlay.freq_edges[static_cast<std::size_t>(r)])));
                painter.fillRect(cell, overlayColour(v / largest));
            }
        const double x0 = std::max<double>(plot.left(), xAtSeconds(m_overlay.time_edges.front()));
        const double x1 = std::min<double>(plot.right(), xAtSeconds(m_overlay.time_edges.back()));
        if (x1 > x0) {
            painter.setPen(QPen(QColor(255, 140, 0), 1, Qt::DashLine));
            painter.drawRect(QRectF(x0, plot.top(), x1 - x0, plot.height() - 1));
            painter.setPen(Qt::white);
            // The label may run past a narrow window, to the plot's edge.
            painter.drawText(QRectF(x0 + 4, plot.top() + 2, std::max(0.0, plot.right() - x0 - 8), 18),
                             Qt::AlignLeft | Qt::AlignTop, m_overlay.label);
        }
        painter.restore();
    }

    if (!std::isnan(m_cursor) && m_cursor >= visibleStart() && m_cursor <= visibleEnd()) {
        const double x = xAtSeconds(m_cursor);
        painter.setPen(QPen(QColor(255, 255, 255, 220), 2));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
    drawAxes(painter, plot);

    if (m_hover.valid) {
        const QString text = readoutText();
        const QFontMetrics fm(font());
        QRect box = fm.boundingRect(text).adjusted(-6, -3, 6, 3);
        box.moveTopRight(plot.topRight() + QPoint(-4, 4));
        painter.fillRect(box, QColor(0, 0, 0, 170));
        painter.setPen(Qt::white);
        painter.drawText(box, Qt::AlignCenter, text);
    }
    if (f.n_bins == 0) {
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawText(plot, Qt::AlignCenter, tr("No audio: choose a source above"));
    }
}

void SpectrogramView::drawAxes(QPainter& painter, const QRect& plot) const {
    const QFontMetrics fm(font());
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawRect(plot.adjusted(0, 0, -1, -1));
    if (m_features.n_bins == 0 || m_features.frame_rate <= 0)
        return;  // no data, no scale

    // Time axis: the smallest "nice" step that leaves room for the labels.
    static constexpr std::array<double, 16> steps = {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1,
                                                     2,    5,    10,   15,  30,  60,   120, 300};
    double step = steps.back();
    for (double s : steps) {
        if (s / m_viewSpan * plot.width() >= fm.horizontalAdvance(QStringLiteral("000.00")) + 16) {
            step = s;
            break;
        }
    }
    for (double t = std::ceil(visibleStart() / step) * step; t <= visibleEnd() + 1e-9; t += step) {
        const double x = xAtSeconds(t);
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        const QString label = formatSeconds(t, step);
        const int w = fm.horizontalAdvance(label);
        painter.drawText(QPointF(std::clamp(x - w / 2.0, 0.0, width() - w - 1.0),
                                 plot.bottom() + 6 + fm.ascent()),
                         label);
    }
    const QString unit = tr("s");
    // At the far left, clear of the first tick label centred under the plot's left edge.
    painter.drawText(QPointF(4, plot.bottom() + 6 + fm.ascent()), unit);

    // Frequency axis: candidate round frequencies, skipping those too close to the last label.
    if (m_features.bin_frequencies.size() < 2)
        return;
    static constexpr std::array<double, 20> ticks = {0,    100,  200,  300,  500,   1000,  1500,
                                                     2000, 3000, 4000, 5000, 6000,  7000,  8000,
                                                     10000, 12000, 14000, 15000, 16000, 20000};
    const double fMin = m_features.bin_frequencies.front();
    const double fMax = m_features.bin_frequencies.back();
    double lastY = std::numeric_limits<double>::infinity();
    for (double hz : ticks) {
        if (hz < fMin || hz > fMax)
            continue;
        const double y = yAtFrequency(hz);
        if (lastY - y < fm.height() + 4)
            continue;
        lastY = y;
        painter.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y));
        const QString label = formatHz(hz);
        painter.drawText(QPointF(plot.left() - 7 - fm.horizontalAdvance(label), y + fm.ascent() / 2.0 - 1),
                         label);
    }
}

void SpectrogramView::wheelEvent(QWheelEvent* event) {
    if (m_mode == Mode::Live || m_features.n_frames == 0) {
        event->ignore();
        return;
    }
    // One notch (120 units) zooms by 1.25; Ctrl-less horizontal wheels pan.
    const QPoint delta = event->angleDelta();
    if (delta.x() != 0 && delta.y() == 0) {
        setVisibleRange(m_viewStart - delta.x() / 120.0 * 0.1 * m_viewSpan,
                        m_viewStart - delta.x() / 120.0 * 0.1 * m_viewSpan + m_viewSpan);
    } else {
        zoom(std::pow(1.25, delta.y() / 120.0), secondsAtX(event->position().x()));
    }
    event->accept();
}

void SpectrogramView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && m_mode == Mode::File) {
        m_dragging = true;
        m_dragMoved = false;
        m_dragOrigin = event->position();
        m_dragViewStart = m_viewStart;
        setCursor(Qt::ClosedHandCursor);
    }
}

void SpectrogramView::mouseMoveEvent(QMouseEvent* event) {
    if (m_dragging) {
        const double dx = event->position().x() - m_dragOrigin.x();
        if (std::abs(dx) >= 3)
            m_dragMoved = true;
        if (m_dragMoved) {
            const double start = m_dragViewStart - dx / plotRect().width() * m_viewSpan;
            setVisibleRange(start, start + m_viewSpan);
        }
    }
    updateHover(event->position());
}

void SpectrogramView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        setCursor(Qt::CrossCursor);
        if (!m_dragMoved && QRectF(plotRect()).contains(event->position()) && m_features.n_frames > 0)
            Q_EMIT seekRequested(std::clamp(secondsAtX(event->position().x()), 0.0, fullDuration()));
    }
}

void SpectrogramView::leaveEvent(QEvent*) {
    if (m_hover.valid) {
        m_hover = {};
        update();
        Q_EMIT hoverChanged(m_hover);
    }
}

}  // namespace patchout::ui
