#include "patchout/ui/class_bars.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

constexpr int kMargin = 8;
constexpr int kRowHeight = 26;
constexpr int kLabelWidthPercent = 38;

}  // namespace

ClassBarsState ClassBarsState::fromUpdate(const LiveUpdate& u, const std::function<QString(int)>& name,
                                          double threshold) {
    ClassBarsState s;
    s.threshold = threshold;
    for (const auto& [cls, score] : u.top) {
        s.labels << name(cls);
        s.scores.push_back(std::clamp(score, 0.0f, 1.0f));
    }
    s.background = u.best == kBackgroundClass;
    s.active = s.background ? ClassBars::tr("background") : name(u.best);
    s.silent = u.silent;
    s.level_db = u.level_db;
    s.latency_ms = u.latency_ms;
    s.time_s = u.time_s;
    return s;
}

ClassBarsState ClassBarsState::fromWindow(const WindowResult& w, const std::function<QString(int)>& name,
                                          double threshold, int k) {
    ClassBarsState s;
    s.threshold = threshold;
    const auto top = patchout::topK(w.scores, k);
    for (const auto& [cls, score] : top) {
        s.labels << name(cls);
        s.scores.push_back(std::clamp(score, 0.0f, 1.0f));
    }
    s.background = top.empty() || top[0].second < threshold;
    s.active = s.background ? ClassBars::tr("background") : name(top[0].first);
    s.from_file = true;
    s.window_start_s = w.start_s;
    s.time_s = w.end_s;
    return s;
}

ClassBars::ClassBars(QWidget* parent) : QWidget(parent) {
    qRegisterMetaType<ClassBarsState>();
    setToolTip(tr("Live classification: smoothed scores of the top classes; the red line is the "
                  "threshold a class must reach to be shown as heard."));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

QSize ClassBars::sizeHint() const { return {280, 220}; }
QSize ClassBars::minimumSizeHint() const { return {180, 140}; }

void ClassBars::setModelName(const QString& name) {
    m_model = name;
    clear();
}

void ClassBars::showState(const ClassBarsState& state) {
    m_state = state;
    m_hasState = true;
    update();
}

void ClassBars::clear() {
    m_state = {};
    m_hasState = false;
    update();
}

int ClassBars::rowsTop() const {
    const QFontMetrics fm(font());
    return kMargin + fm.height() + 6 + 2 * fm.height() + 10;  // header, active class (2x), gap
}

QRect ClassBars::barRect(int row) const {
    const int left = kMargin + (width() - 2 * kMargin) * kLabelWidthPercent / 100;
    const int right = width() - kMargin;
    return {left, rowsTop() + row * kRowHeight + 4, std::max(1, right - left), kRowHeight - 8};
}

void ClassBars::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QFontMetrics fm(font());
    int y = kMargin;
    p.setPen(palette().color(QPalette::WindowText));
    const QString header = m_model.isEmpty() ? tr("No model loaded (Listen > Load model…, Ctrl+M)")
                                             : tr("Model: %1").arg(m_model);
    p.drawText(QRect(kMargin, y, width() - 2 * kMargin, fm.height()), Qt::AlignLeft,
               fm.elidedText(header, Qt::ElideMiddle, width() - 2 * kMargin));
    y += fm.height() + 6;
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    p.setFont(big);
    QString active = m_model.isEmpty() ? QString() : tr("listening...");
    QColor activeColour = palette().color(QPalette::PlaceholderText);
    if (m_hasState) {
        active = m_state.silent ? tr("%1 (quiet)").arg(m_state.active) : m_state.active;
        activeColour = m_state.background ? palette().color(QPalette::PlaceholderText)
                                          : QColor(30, 140, 60);
    }
    p.setPen(activeColour);
    p.drawText(QRect(kMargin, y, width() - 2 * kMargin, 2 * fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               active);
    p.setFont(font());
    if (!m_hasState)
        return;
    const int rows = static_cast<int>(std::min<qsizetype>(m_state.labels.size(),
                                                          static_cast<qsizetype>(m_state.scores.size())));
    for (int i = 0; i < rows; ++i) {
        const QRect bar = barRect(i);
        const float score = m_state.scores[static_cast<std::size_t>(i)];
        p.setPen(palette().color(QPalette::WindowText));
        const QRect label(kMargin, bar.top() - 4, bar.left() - kMargin - 6, kRowHeight);
        p.drawText(label, Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(m_state.labels[i], Qt::ElideRight, label.width()));
        p.fillRect(bar, QColor(60, 60, 60));
        const int w = static_cast<int>(std::lround(score * bar.width()));
        const bool on = score >= m_state.threshold;
        p.fillRect(QRect(bar.left(), bar.top(), w, bar.height()),
                   on ? QColor(40, 170, 70) : QColor(90, 120, 170));
        p.setPen(Qt::white);
        p.drawText(bar.adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::number(static_cast<double>(score), 'f', 2));
    }
    if (rows > 0) {
        const QRect first = barRect(0);
        const int tx = first.left() + static_cast<int>(std::lround(m_state.threshold * first.width()));
        p.setPen(QPen(QColor(220, 40, 40), 2, Qt::DashLine));
        p.drawLine(tx, first.top() - 2, tx, barRect(rows - 1).bottom() + 2);
    }
    p.setPen(palette().color(QPalette::PlaceholderText));
    const int footer = rowsTop() + std::max(rows, 1) * kRowHeight + 4;
    p.drawText(QRect(kMargin, footer, width() - 2 * kMargin, fm.height()), Qt::AlignLeft,
               m_state.from_file ? tr("file window %1 - %2 s")
                                       .arg(m_state.window_start_s, 0, 'f', 2)
                                       .arg(m_state.time_s, 0, 'f', 2)
                                 : tr("latency %1 ms  ·  level %2 dBFS")
                                       .arg(m_state.latency_ms, 0, 'f', 1)
                                       .arg(m_state.level_db, 0, 'f', 0));
    p.drawText(QRect(kMargin, footer + fm.height() + 2, width() - 2 * kMargin, fm.height()), Qt::AlignLeft,
               tr("threshold %1  ·  t = %2 s").arg(m_state.threshold, 0, 'f', 2).arg(m_state.time_s, 0, 'f', 2));
}

}  // namespace patchout::ui
